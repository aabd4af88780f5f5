"""Measured telemetry: dcgm-exporter scrapes, a Prometheus pull and Redfish BMC readings, stored as daily
summaries per server (docs/telemetry.md)."""

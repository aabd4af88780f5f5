"""`/api/v1/capacity/exchange-rates/`: the rates the organization's money is converted with, and owners'
overrides (POST sets one, DELETE `{currency}/` goes back to the reference rate)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.base import OrganizationScopedAPIMixin
from accounts.models import Role
from config.serializers import KnownFieldsOnly

from ..exchange import services
from ..exchange.selectors import rate_rows_for


class RateRowSerializer(KnownFieldsOnly, serializers.Serializer):
    currency = serializers.CharField()
    rate_per_eur = serializers.FloatField(help_text="Units per euro.")
    date = serializers.DateField(allow_null=True)
    source = serializers.CharField()
    overridden = serializers.BooleanField()
    overridden_by = serializers.CharField(allow_blank=True)
    overridden_at = serializers.DateTimeField(allow_null=True)
    described = serializers.CharField(help_text='In words, e.g. "1 EUR = 1.1172 USD (ECB ... of 2026-10-30)".')


class RatesSerializer(KnownFieldsOnly, serializers.Serializer):
    reporting_currency = serializers.CharField()
    rates = RateRowSerializer(many=True)


class RateOverrideSerializer(KnownFieldsOnly, serializers.Serializer):
    currency = serializers.CharField(max_length=3)
    rate_per_eur = serializers.DecimalField(
        max_digits=18, decimal_places=6, help_text="Units of the currency per euro."
    )
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ExchangeRatesView(OrganizationScopedAPIMixin, APIView):
    """The rates in use (the latest ECB euro reference rate of each currency, or the organization's own); owners
    set an override with POST."""

    write_role = Role.OWNER

    def _body(self) -> dict:
        return {
            "reporting_currency": self.organization.reporting_currency,
            "rates": rate_rows_for(organization=self.organization),
        }

    @extend_schema(responses=RatesSerializer)
    def get(self, request: Request) -> Response:
        return Response(RatesSerializer(self._body()).data)

    @extend_schema(request=RateOverrideSerializer, responses={201: RatesSerializer})
    def post(self, request: Request) -> Response:
        payload = RateOverrideSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.rate_override_set(organization=self.organization, user=request.user, **payload.validated_data)
        return Response(RatesSerializer(self._body()).data, status=status.HTTP_201_CREATED)


class ExchangeRateOverrideView(OrganizationScopedAPIMixin, APIView):
    """DELETE: convert ``currency`` at the reference rate again (owners)."""

    write_role = Role.OWNER

    @extend_schema(responses={204: None})
    def delete(self, request: Request, currency: str) -> Response:
        if not services.rate_override_clear(organization=self.organization, currency=currency):
            raise NotFound(f"No rate of your own for {currency.upper()}.")
        return Response(status=status.HTTP_204_NO_CONTENT)

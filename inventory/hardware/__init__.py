"""Hardware records beyond a server's accelerator type and count: per-GPU rows and MIG instances, the server model
catalog, discovery runs and the NetBox sync (`models`); reads for pages and the power ladder (`selectors`)."""

"""Writes of the inventory, split along their seams (every public name is re-exported here):

- `import_engine`: rows checked with the model's rules and saved in bulk, chunk by chunk (`Importer`);
- `import_files`: a file's two passes (validate, then apply in one transaction) and the command line's import;
- `import_jobs`: import jobs for the app, the API and the admin (upload, validate, confirm, tasks, retry, the
  deadline reaper);
- `exports`: the one inventory exporter (`inventory_export`, `export_rows`);
- `discovery`: servers and their GPUs from what GPU tools print (preview, record, the app's runs);
- `server_models`: the server model catalog from NetBox devicetype-library YAML;
- `netbox`: the sync from a NetBox's REST API (read, plan, write), imported as `inventory.services.netbox`;
- `catalog_names`: catalog entries by the names people write.

Services raise `config.errors` domain errors (`ImportRejected` is an `Invalid`; a file over the limit is
`TooLarge`); callers show their items (row, column, field) and never parse messages.
"""

from ..discovery import QUERY_GPU_COMMAND as NVIDIA_SMI_COMMAND
from ..importing import ImportRejected
from .catalog_names import AMBIGUOUS, Catalog, NameIndex
from .discovery import (
    Discovery,
    DiscoveryPlan,
    Recorded,
    accelerator_type_from_discovery,
    discover,
    discovery_plan,
    discovery_run_confirm,
    discovery_run_create,
    discovery_run_recheck,
    nvidia_smi_ingest,
    run_errors,
)
from .exports import Export, export_rows, inventory_export, records_export
from .import_engine import ErrorList, Importer, ImportResult, import_setting
from .import_files import (
    WINDOWS_1252_NOTICE,
    ImportFile,
    apply_file,
    file_notices,
    import_file_inspect,
    inventory_import,
    open_rows,
    validate_file,
)
from .import_jobs import (
    import_job_apply,
    import_job_begin,
    import_job_claim,
    import_job_confirm,
    import_job_create,
    import_job_error,
    import_job_is_large,
    import_job_notices,
    import_job_process,
    import_job_reap,
    import_job_retry,
    import_job_start,
    import_job_validate,
    import_time_limit,
    job_errors,
    not_waiting,
)
from .server_models import ServerModelImport, server_models_import

__all__ = [
    "AMBIGUOUS",
    "NVIDIA_SMI_COMMAND",
    "Catalog",
    "Discovery",
    "DiscoveryPlan",
    "ErrorList",
    "Export",
    "ImportFile",
    "ImportRejected",
    "ImportResult",
    "Importer",
    "NameIndex",
    "Recorded",
    "ServerModelImport",
    "WINDOWS_1252_NOTICE",
    "accelerator_type_from_discovery",
    "apply_file",
    "discover",
    "discovery_plan",
    "discovery_run_confirm",
    "discovery_run_create",
    "discovery_run_recheck",
    "export_rows",
    "file_notices",
    "import_file_inspect",
    "import_job_apply",
    "import_job_begin",
    "import_job_claim",
    "import_job_confirm",
    "import_job_create",
    "import_job_error",
    "import_job_is_large",
    "import_job_notices",
    "import_job_process",
    "import_job_reap",
    "import_job_retry",
    "import_job_start",
    "import_job_validate",
    "import_setting",
    "import_time_limit",
    "inventory_export",
    "inventory_import",
    "job_errors",
    "not_waiting",
    "nvidia_smi_ingest",
    "open_rows",
    "records_export",
    "run_errors",
    "server_models_import",
    "validate_file",
]

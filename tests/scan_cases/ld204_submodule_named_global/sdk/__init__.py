# The package exports its `api` module under the name of the subpackage that holds it
# (`from sdk.api import api`): `sdk.api.module_api` still names the module, not
# `sdk.api.api.module_api`, so FileApi's base class and what its `_api` holds are found.
from sdk.api import api
from sdk.api.api import Api

__all__ = ["Api", "api"]

"""FSx base URL and path (moto's table), served by ``FSxDrtResponse``; ``FSxDrtBackend._url_module``."""

from moto.fsx import urls as moto_fsx_urls

from .responses import FSxDrtResponse

url_bases = list(moto_fsx_urls.url_bases)

url_paths = {path: FSxDrtResponse.dispatch for path in moto_fsx_urls.url_paths}

"""`xlcheck serve`: a web page and an HTTP API over the same checks as `xlcheck verify`.

An optional extra (`pip install 'xlcheck[server]'`: uvicorn, Starlette, python-multipart);
nothing outside this package imports it except the `serve` command, lazily. The checks run in
worker processes (`pool`); each request's files live in a temporary folder (`store`); `app`
holds the routes and `page` the HTML. No checking logic lives here.
"""

"""Starting uvicorn with the application; Ctrl-C (SIGINT) or SIGTERM stops it cleanly: the
requests in flight are answered, the workers stopped and every temporary folder deleted."""
from __future__ import annotations

import logging
import os

import uvicorn

from .app import create_app
from .config import Config


def serve(cfg: Config) -> None:
    logging.basicConfig(format="%(asctime)s %(levelname)s %(message)s", level=logging.INFO)
    logging.getLogger("xlcheck.server").info(
        "xlcheck serve：http://%s:%d%s/ ，%d 个校验进程，结果保留 %g 秒%s", cfg.host, cfg.port, cfg.root_path,
        cfg.jobs, cfg.keep, "，需要访问令牌" if cfg.token else "")
    uvicorn.run(create_app(cfg), host=cfg.host, port=cfg.port,
                root_path=cfg.root_path, access_log=False, log_level="info", proxy_headers=True,
                forwarded_allow_ips=os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"), timeout_graceful_shutdown=30)

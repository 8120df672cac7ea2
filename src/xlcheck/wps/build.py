"""The add-in as files: the static ones in `addin/`, plus those that depend on where the server
and the add-in are — `config.js` (the server's URL and token), `jsplugins.xml` (the entry WPS's
online mode reads) and `publish.html` (the page a clerk opens to add it, as `wpsjs publish`
makes it). The server serves them under `/wps/`; `xlcheck wps build` writes them to a folder."""
from __future__ import annotations

import json
from html import escape
from pathlib import Path
from string import Template

from ..errors import InputError
from ..outputs.ooxml import quoteattr
from ..version import __version__

ADDIN = Path(__file__).parent / "addin"
NAME = "xlcheck"                          # the add-in's name in jsplugins.xml and publish.xml
TAB = "政务公开校验"
MEDIA = {".xml": "text/xml; charset=utf-8", ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
         ".svg": "image/svg+xml", ".css": "text/css; charset=utf-8"}


def media_type(name: str) -> str:
    return MEDIA.get(Path(name).suffix, "application/octet-stream")


def config_js(server: str, token: str | None) -> str:
    return "window.XLCHECK_CONFIG = " + json.dumps({"server": server.rstrip("/"), "token": token or None},
                                                   ensure_ascii=False) + ";\n"


def jsplugins_xml(url: str) -> str:
    """The `jsplugins.xml` of WPS's online mode: one `jspluginonline` entry whose url is the
    add-in's folder (WPS loads url + "ribbon.xml" and url + "index.html")."""
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<jsplugins>\n'
            f'    <jspluginonline name={quoteattr(NAME)} type="et" url={quoteattr(url)}/>\n</jsplugins>\n')


def publish_data(url: str) -> dict:
    """What WPS's local service (127.0.0.1:58890/deployaddons/runParams) is sent to add the
    add-in, as `wpsjs publish`'s publish.html sends it; WPS then records it in publish.xml."""
    return {"name": NAME, "addonType": "et", "online": "true", "url": url, "version": __version__, "customDomain": ""}


def publish_html(url: str) -> str:
    page = Template((Path(__file__).parent / "publish.html").read_text(encoding="utf-8"))
    return page.substitute(url=escape(url), tab=TAB, data=json.dumps(publish_data(url), ensure_ascii=False).replace("</", "<\\/"))


def install_page(base: str, url: str, protected: bool) -> str:
    """The page telling a clerk how to add the add-in to WPS on Windows and on Linux."""
    page = Template((Path(__file__).parent / "install.html").read_text(encoding="utf-8"))
    return page.substitute(base=escape(base), url=escape(url), tab=TAB, name=NAME, jsplugins=escape(jsplugins_xml(url)),
                           token_note="本页给出的地址含有本单位的访问令牌，请只在单位内部传递。" if protected else "")


def files(server: str, token: str | None, url: str | None) -> dict[str, bytes]:
    """Every file of the add-in folder, by relative path. Without `url` (where the folder will be
    reachable) the two files that name it are left out."""
    out = {p.relative_to(ADDIN).as_posix(): p.read_bytes() for p in sorted(ADDIN.rglob("*")) if p.is_file()}
    out["config.js"] = config_js(server, token).encode()
    if url:
        out["jsplugins.xml"] = jsplugins_xml(url).encode()
        out["publish.html"] = publish_html(url).encode()
    return out


def build(out_dir: str | Path, server: str, token: str | None = None, url: str | None = None) -> list[Path]:
    if not server.startswith(("http://", "https://")):
        raise InputError(f"--server「{server}」不是 http:// 或 https:// 开头的地址")
    if url is not None and not (url.startswith(("http://", "https://")) and url.endswith("/")):
        raise InputError(f"--url「{url}」应为以 / 结尾的 http(s) 地址（WPS 在它后面加上 ribbon.xml 载入加载项）")
    out = Path(out_dir)
    written = []
    for name, data in files(server, token, url).items():
        target = out / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        written.append(target)
    return written

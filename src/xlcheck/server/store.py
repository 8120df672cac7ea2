"""Each request's files in a folder of their own under one temporary root: an unguessable id,
the files a client may download from it (looked up by key, never by a name the client sent),
and deletion `keep` seconds after the request finished."""
from __future__ import annotations

import secrets
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Download:
    path: Path
    name: str               # the file name the browser saves it as
    media_type: str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Folder:
    id: str
    path: Path
    expires: float | None = None          # None while its request is still being answered
    downloads: dict[str, Download] = field(default_factory=dict)


class Store:
    def __init__(self, keep: float, parent: str | None = None):
        self.keep = keep
        self.root = Path(tempfile.mkdtemp(prefix="xlcheck-serve-", dir=parent))    # mode 0700
        self._folders: dict[str, Folder] = {}

    def new(self) -> Folder:
        rid = secrets.token_urlsafe(18)                  # 144 random bits
        path = self.root / rid
        path.mkdir(mode=0o700)
        folder = self._folders[rid] = Folder(rid, path)
        return folder

    def done(self, folder: Folder) -> None:
        """The request is answered: its files are kept `keep` seconds from now."""
        folder.expires = time.monotonic() + self.keep

    def discard(self, folder: Folder) -> None:
        self._folders.pop(folder.id, None)
        shutil.rmtree(folder.path, ignore_errors=True)

    def download(self, rid: str, key: str) -> Download | None:
        folder = self._folders.get(rid)
        if folder is None or folder.expires is None or folder.expires <= time.monotonic():
            return None
        found = folder.downloads.get(key)
        return found if found is not None and found.path.is_file() else None

    def sweep(self) -> int:
        """Delete every folder whose time is up; returns how many."""
        now = time.monotonic()
        old = [f for f in self._folders.values() if f.expires is not None and f.expires <= now]
        for folder in old:
            self.discard(folder)
        return len(old)

    def __len__(self) -> int:
        return len(self._folders)

    def close(self) -> None:
        self._folders.clear()
        shutil.rmtree(self.root, ignore_errors=True)

    def sweep_interval(self) -> float:
        return min(60.0, max(0.2, self.keep / 4))

"""Keys for an unconfigured installation (demo, tests).

Production sets LIANDONG_SECRET_KEY and LIANDONG_FIELD_KEY in the environment. Without them
the keys are generated once and kept in ``DATA_DIR/keys.json`` (mode 0600), never in the
database, so that a database dump alone cannot be decrypted.
"""

import json
import os
import secrets
from pathlib import Path


def load_or_create_keys(data_dir: Path) -> dict[str, str]:
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "keys.json"
    if path.exists():
        return json.loads(path.read_text())
    keys = {"secret_key": secrets.token_urlsafe(50), "field_key": secrets.token_urlsafe(48)}
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(keys, handle)
    return keys

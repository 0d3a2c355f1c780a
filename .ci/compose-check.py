#!/usr/bin/env python3
"""Checks what a compose-spec schema cannot: that deploy/compose/compose.yaml, its
hall.toml, deploy/mosquitto and deploy/container/Dockerfile fit together.

Run by .ci/package-check after `check-jsonschema --builtin-schema vendor.compose-spec`.
Prints one line per problem and exits 1 when there is any. With `--shell-accounts` it
prints the Mosquitto init service's environment and windows as shell lines instead.
"""

import os
import re
import shlex
import sys
import tomllib
from urllib.parse import urlsplit

from ruamel.yaml import YAML

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
COMPOSE_DIR = os.path.join(ROOT, "deploy", "compose")
problems = []


def problem(msg):
    problems.append(msg)


def load_compose():
    with open(os.path.join(COMPOSE_DIR, "compose.yaml"), encoding="utf-8") as f:
        return YAML(typ="safe").load(f)


def interpolate(value):
    """`${VAR:-default}` → default, `${VAR:?msg}` / `${VAR}` → a placeholder."""
    if not isinstance(value, str):
        return value
    value = re.sub(r"\$\{[A-Za-z_][A-Za-z0-9_]*:-([^}]*)\}", r"\1", value)
    return re.sub(r"\$\{[A-Za-z_][A-Za-z0-9_]*(:\?[^}]*)?\}", "<from-env>", value)


def env_of(svc):
    env = svc.get("environment") or {}
    if isinstance(env, list):
        env = dict(e.split("=", 1) if "=" in e else (e, "") for e in env)
    return {k: interpolate(v) for k, v in env.items()}


def mounts(svc):
    """(source, target) of each short-syntax volume."""
    out = []
    for v in svc.get("volumes") or []:
        if isinstance(v, str):
            parts = v.split(":")
            out.append((parts[0], parts[1] if len(parts) > 1 else parts[0]))
        else:
            out.append((v.get("source"), v.get("target")))
    return out


def check_files_and_refs(c):
    services = c.get("services") or {}
    volumes = set((c.get("volumes") or {}).keys())
    dockerfiles = set()
    for name, svc in services.items():
        for src, _ in mounts(svc):
            if src.startswith((".", "/")):
                if not os.path.exists(os.path.normpath(os.path.join(COMPOSE_DIR, src))):
                    problem(f"{name}: bind mount source {src} does not exist")
            elif src not in volumes:
                problem(f"{name}: volume {src} is not declared under volumes:")
        for dep in svc.get("depends_on") or {}:
            if dep not in services:
                problem(f"{name}: depends_on unknown service {dep}")
        build = svc.get("build")
        if build:
            ctx = os.path.normpath(os.path.join(COMPOSE_DIR, build.get("context", ".")))
            dockerfile = os.path.join(ctx, build.get("dockerfile", "Dockerfile"))
            if not os.path.isfile(dockerfile):
                problem(f"{name}: dockerfile {dockerfile} does not exist")
            elif dockerfile not in dockerfiles:
                dockerfiles.add(dockerfile)
                check_dockerfile(dockerfile, ctx)
    return services


def check_dockerfile(path, ctx):
    """Parses the Dockerfile with the `dockerfile` package (BuildKit's own parser)."""
    try:
        import dockerfile
    except ImportError:
        print("skipped: Dockerfile parse (python package dockerfile not installed)")
        return
    rel = os.path.relpath(path, ROOT)
    try:
        cmds = dockerfile.parse_file(path)
    except dockerfile.GoParseError as e:
        problem(f"{rel}: {e}")
        return
    froms = [c for c in cmds if c.cmd == "FROM"]
    if len(froms) < 2:
        problem(f"{rel}: not a multi-stage build")
    if froms and froms[-1].value[0] != "debian:bookworm-slim":
        problem(f"{rel}: runtime stage is {froms[-1].value[0]}, not debian:bookworm-slim")
    last = cmds.index(froms[-1]) if froms else 0
    final = cmds[last:]
    users = [c.value[0] for c in final if c.cmd == "USER"]
    if not users or users[-1] in ("root", "0"):
        problem(f"{rel}: the runtime stage runs as root")
    if not any(c.cmd == "VOLUME" and "/var/lib/hallq" in c.value for c in final):
        problem(f"{rel}: no VOLUME /var/lib/hallq")
    if not any(c.cmd == "EXPOSE" and "8080" in c.value for c in final):
        problem(f"{rel}: no EXPOSE 8080")
    if not any(c.cmd == "HEALTHCHECK" and "/api/v1/health" in " ".join(c.value) for c in final):
        problem(f"{rel}: no HEALTHCHECK against /api/v1/health")
    ignored = read_dockerignore(path + ".dockerignore")
    for c in cmds:
        if c.cmd not in ("COPY", "ADD") or any(f.startswith("--from") for f in c.flags):
            continue
        for src in c.value[:-1]:
            if src == ".":
                continue
            if not os.path.exists(os.path.join(ctx, src)):
                problem(f"{rel}: COPY source {src} does not exist")
            elif src.split("/")[0] in ignored:
                problem(f"{rel}: COPY source {src} is excluded by the .dockerignore")


def read_dockerignore(path):
    if not os.path.exists(path):
        return set()
    with open(path, encoding="utf-8") as f:
        return {l.strip() for l in f if l.strip() and not l.startswith("#")}


def find(services, image_prefix):
    return {n: s for n, s in services.items() if str(s.get("image", "")).startswith(image_prefix)}


def command_arg(svc, flag):
    cmd = svc.get("command") or []
    if isinstance(cmd, str):
        cmd = cmd.split()
    return cmd[cmd.index(flag) + 1] if flag in cmd and cmd.index(flag) + 1 < len(cmd) else None


def check_hallq(services):
    hallqs = find(services, "hallq")
    if len(hallqs) != 2:
        problem(f"expected two hallq services, found {sorted(hallqs)}")
    ports = []
    configs = set()
    for name, svc in hallqs.items():
        ports += [str(p).split(":")[0] for p in svc.get("ports") or []]
        target = command_arg(svc, "--config")
        srcs = [s for s, t in mounts(svc) if t.split(":")[0] == target]
        if not srcs:
            problem(f"{name}: nothing mounted at its --config {target}")
        configs.update(srcs)
        data = command_arg(svc, "--data-dir")
        if not any(t == data and not s.startswith((".", "/")) for s, t in mounts(svc)):
            problem(f"{name}: --data-dir {data} is not a named volume")
    if len(set(ports)) != len(ports):
        problem(f"hallq services publish the same host port: {ports}")
    if len(configs) != 1:
        problem(f"hallq services read different config files: {sorted(configs)}")
    return hallqs, next(iter(configs), None)


def check_config(services, hallqs, config_src):
    with open(os.path.join(COMPOSE_DIR, config_src), "rb") as f:
        cfg = tomllib.load(f)
    server, broker = cfg.get("server", {}), cfg.get("broker", {})

    db = urlsplit(server.get("database_url", ""))
    pg = find(services, "postgres")
    if db.scheme != "postgres" or db.hostname not in pg:
        problem(f"server.database_url host {db.hostname!r} is not a postgres service {sorted(pg)}")
    else:
        env = env_of(pg[db.hostname])
        want = (env.get("POSTGRES_USER"), env.get("POSTGRES_PASSWORD"), env.get("POSTGRES_DB"))
        got = (db.username, db.password, db.path.lstrip("/"))
        if got != want:
            problem(f"server.database_url user/password/db {got} != postgres service {want}")

    mq = urlsplit(broker.get("url", ""))
    brokers = {n: s for n, s in find(services, "eclipse-mosquitto").items() if "ports" in s}
    accounts = {n: s for n, s in find(services, "eclipse-mosquitto").items() if n not in brokers}
    if broker.get("mode") != "external" or mq.hostname not in brokers:
        problem(f"broker.url host {mq.hostname!r} is not the mosquitto service {sorted(brokers)}")
    if len(accounts) != 1:
        problem(f"expected one init service running make-passwd.sh, found {sorted(accounts)}")
        return
    acc_name, acc = next(iter(accounts.items()))
    env = env_of(acc)
    pairs = [
        ("broker.username", broker.get("username"), "hallq-controller"),
        ("broker.password", broker.get("password"), env.get("HALLQ_MQTT_CONTROLLER_PASSWORD")),
        ("display.username", cfg.get("display", {}).get("username"), "display"),
        ("display.password", cfg.get("display", {}).get("password"),
         env.get("HALLQ_MQTT_DISPLAY_PASSWORD")),
    ]
    for key, got, want in pairs:
        if got != want:
            problem(f"hall.toml {key} = {got!r}, but {acc_name} makes the account with {want!r}")
    windows = [w["id"] for w in cfg.get("windows", [])]
    cmd = [str(a) for a in acc.get("command") or []]
    if sorted(cmd) != sorted(windows):
        problem(f"{acc_name} makes buttons for {cmd}, the hall has windows {windows}")
    for w in windows:
        var = "HALLQ_MQTT_BUTTON_PASSWORD_" + re.sub(r"[^A-Za-z0-9]", "_", w)
        if var not in env:
            problem(f"{acc_name}: no {var} (make-passwd.sh would invent one on every start)")
    check_mosquitto(acc_name, acc, brokers)

    key_env = cfg.get("identity", {}).get("id_hash_key_env")
    for name, svc in hallqs.items():
        if key_env and key_env not in env_of(svc):
            problem(f"{name}: identity.id_hash_key_env {key_env} is not in its environment")


def check_mosquitto(acc_name, acc, brokers):
    """The init service writes where the broker's config reads."""
    entry = [str(a) for a in acc.get("entrypoint") or []]
    out_dir = entry[-1] if entry else None
    script = next((a for a in entry if a.endswith("make-passwd.sh")), None)
    if not script:
        problem(f"{acc_name}: its entrypoint does not run make-passwd.sh")
    out_vol = next((s for s, t in mounts(acc) if t == out_dir), None)
    for name, svc in brokers.items():
        conf_target = command_arg(svc, "-c")
        conf_src = next((s for s, t in mounts(svc) if t == conf_target), None)
        conf_path = conf_src and os.path.normpath(os.path.join(COMPOSE_DIR, conf_src))
        if not conf_path or not os.path.isfile(conf_path):
            problem(f"{name}: its -c {conf_target} is not mounted from a file")
            continue
        with open(conf_path, encoding="utf-8") as f:
            conf = dict(
                l.split(None, 1) for l in (x.strip() for x in f) if l and not l.startswith("#")
            )
        for key in ("password_file", "acl_file"):
            d = os.path.dirname(conf.get(key, "").strip())
            if not any(s == out_vol and t == d for s, t in mounts(svc)):
                problem(f"{name}: {key} dir {d} is not the volume {acc_name} writes ({out_vol})")


def shell_accounts(c):
    """For .ci/package-check: the init service's environment and windows, as shell lines."""
    services = c.get("services") or {}
    acc = next(s for n, s in services.items() if "make-passwd.sh" in str(s.get("entrypoint")))
    for k, v in env_of(acc).items():
        print(f"export {k}={shlex.quote(str(v))}")
    print("WINDOWS=" + shlex.quote(" ".join(str(a) for a in acc.get("command") or [])))


def main():
    c = load_compose()
    if sys.argv[1:] == ["--shell-accounts"]:
        return shell_accounts(c)
    services = check_files_and_refs(c)
    hallqs, config_src = check_hallq(services)
    if config_src:
        check_config(services, hallqs, config_src)
    for p in problems:
        print(f"compose-check: {p}")
    print(f"compose-check: {len(services)} services, {len(problems)} problems")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()

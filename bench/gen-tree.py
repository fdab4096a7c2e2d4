#!/usr/bin/env python3
"""Build a large tree of Kubernetes manifests from the shared corpus, for benchmarks.

    bench/gen-tree.py OUT --copies N [--unique-namespaces] [--corpus DIR]

Copies every YAML/JSON file of the corpus that holds a manifest (apiVersion and kind), Helm
templates excluded, N times under OUT/copy-<i>/. With --unique-namespaces, each copy's
`namespace:` values get a `-c<i>` suffix so object identities stay distinct across copies.
"""
import argparse, os, re, shutil, sys

ap = argparse.ArgumentParser()
ap.add_argument("out")
ap.add_argument("--copies", type=int, default=1)
ap.add_argument("--unique-namespaces", action="store_true")
ap.add_argument("--corpus", default=os.path.join(os.path.dirname(__file__), "../../shared/corpus"))
a = ap.parse_args()

files = []
for root, dirs, names in os.walk(a.corpus):
    if os.path.exists(os.path.join(root, "Chart.yaml")):
        dirs[:] = []  # charts are rendered, not copied raw
        continue
    for n in names:
        # kustomizations are rendered by kubectl, not parsed: leave them out so the tree is the
        # raw Kubernetes YAML every tool reads the same way (and the files under them are scanned raw)
        if n in ("kustomization.yaml", "kustomization.yml", "Kustomization"):
            continue
        if n.endswith((".yaml", ".yml", ".json")):
            p = os.path.join(root, n)
            try:
                t = open(p, encoding="utf-8").read()
            except Exception:
                continue
            if "apiVersion" in t and "kind" in t:
                files.append((os.path.relpath(p, a.corpus), t))

if os.path.exists(a.out):
    shutil.rmtree(a.out)
ns_re = re.compile(r"^(\s*namespace:\s*)([A-Za-z0-9-]+)\s*$", re.M)
total = 0
for i in range(a.copies):
    for rel, t in files:
        if a.unique_namespaces:
            t = ns_re.sub(lambda m: f"{m.group(1)}{m.group(2)}-c{i}", t)
        dst = os.path.join(a.out, f"copy-{i}", rel)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        with open(dst, "w", encoding="utf-8") as f:
            f.write(t)
        total += len(t.encode())
print(f"{len(files) * a.copies} files, {total / 1e6:.1f} MB in {a.out}", file=sys.stderr)

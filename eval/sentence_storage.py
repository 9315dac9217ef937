"""Scratch measurement behind notes/sentences.md (c): sentence vectors in a Chroma collection vs SQLite blobs.

    python eval/sentence_storage.py PAPERS   (random 384-d vectors, 8 sentences a paper)
"""
import json, sqlite3, time, sys, os, shutil
import numpy as np
import chromadb
papers, per = int(sys.argv[1]), 8
rng = np.random.default_rng(0)
root = f"/tmp/sentence-storage-{papers}"
shutil.rmtree(root, ignore_errors=True); os.makedirs(root)
vectors = rng.standard_normal((papers, per, 384)).astype(np.float32)
def du(p):
    return sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(p) for f in fs) / 1e6
# chroma
client = chromadb.PersistentClient(path=f"{root}/chroma", settings=chromadb.Settings(anonymized_telemetry=False))
col = client.create_collection("sentences", embedding_function=None, configuration={"hnsw": {"space": "cosine"}})
t = time.perf_counter()
for b in range(0, papers, 64):
    ids, embs, metas = [], [], []
    for p in range(b, min(papers, b + 64)):
        for s in range(per):
            ids.append(f"p{p}:{s}"); embs.append(vectors[p, s]); metas.append({"paper_id": f"p{p}", "start": s, "end": s + 1, "hash": "h"})
    col.upsert(ids=ids, embeddings=np.asarray(embs), metadatas=metas)
chroma_write = time.perf_counter() - t
reads = []
for q in range(20):
    want = [f"p{int(i)}" for i in rng.integers(0, papers, 5)]
    t = time.perf_counter(); got = col.get(where={"paper_id": {"$in": want}}, include=["embeddings", "metadatas"]); reads.append(time.perf_counter() - t)
chroma_read = float(np.median(reads))
reads = []
for q in range(20):
    want = [f"p{int(i)}:{s}" for i in rng.integers(0, papers, 5) for s in range(per)]
    t = time.perf_counter(); got = col.get(ids=want, include=["embeddings", "metadatas"]); reads.append(time.perf_counter() - t)
chroma_read_ids = float(np.median(reads))
# sqlite
db = sqlite3.connect(f"{root}/sentences.sqlite3"); db.execute("PRAGMA journal_mode=WAL"); db.execute("PRAGMA synchronous=FULL")
db.execute("CREATE TABLE s (prefix TEXT, paper_id TEXT, hash TEXT, spans TEXT, vectors BLOB, PRIMARY KEY (prefix, paper_id))")
t = time.perf_counter()
for b in range(0, papers, 64):
    with db:
        db.executemany("INSERT OR REPLACE INTO s VALUES (?,?,?,?,?)", [("", f"p{p}", "h", json.dumps([[s, s + 1] for s in range(per)]), vectors[p].tobytes()) for p in range(b, min(papers, b + 64))])
sqlite_write = time.perf_counter() - t
reads = []
for q in range(20):
    want = [f"p{int(i)}" for i in rng.integers(0, papers, 5)]
    t = time.perf_counter()
    rows = db.execute(f"SELECT paper_id, hash, spans, vectors FROM s WHERE prefix = '' AND paper_id IN ({','.join('?' * 5)})", want).fetchall()
    out = {r[0]: (json.loads(r[2]), np.frombuffer(r[3], dtype=np.float32).reshape(-1, 384)) for r in rows}
    reads.append(time.perf_counter() - t)
sqlite_read = float(np.median(reads))
print(json.dumps({"papers": papers, "sentences": papers * per, "chroma_write_s": round(chroma_write, 3), "chroma_read_where_ms": round(chroma_read * 1e3, 2),
      "chroma_read_ids_ms": round(chroma_read_ids * 1e3, 2), "chroma_mb": round(du(f"{root}/chroma"), 1),
      "sqlite_write_s": round(sqlite_write, 3), "sqlite_read_ms": round(sqlite_read * 1e3, 3), "sqlite_mb": round(du(root) - du(f"{root}/chroma"), 1)}))

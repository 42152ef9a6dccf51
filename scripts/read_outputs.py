"""Read every Parquet file of a published run with pyarrow and DuckDB and check the
manifest's row counts: proof that the outputs are plain Parquet."""

import json
import pathlib
import sys

import duckdb
import pyarrow.parquet as pq


def main(folder: str) -> int:
    run = pathlib.Path(folder)
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    failures = 0
    for output in manifest["outputs"]:
        path = run / output["file"]
        if not output["file"].endswith(".parquet"):
            ok = path.is_file()
            failures += not ok
            print(f"{'ok ' if ok else 'BAD'} {output['file']:<36} present")
            continue
        table = pq.read_table(path)
        ((count,),) = duckdb.sql(f"select count(*) from read_parquet('{path}')").fetchall()
        ok = table.num_rows == count == output["rows"]
        failures += not ok
        print(f"{'ok ' if ok else 'BAD'} {output['file']:<36} pyarrow {table.num_rows:>6} duckdb {count:>6} manifest {output['rows']:>6}")
    money = pq.read_table(run / "claim_indemnity.parquet").schema.field("indemnity_usd").type
    print(f"indemnity_usd is {money}")
    if str(money) != "decimal128(18, 2)":
        failures += 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))

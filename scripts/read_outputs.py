"""Read every Parquet file of a published run with pyarrow and DuckDB and check the
manifest's row counts and that both clients read the same values, row by row: proof
that the outputs are plain Parquet. (DuckDB is told not to add the folder's `as_of=`
as a hive partition column.)"""

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
        ((count,),) = duckdb.sql(f"select count(*) from read_parquet('{path}', hive_partitioning = false)").fetchall()
        # every value as the two clients read it, row by row, as text
        by_arrow = sorted(tuple(str(v) for v in row.values()) for row in table.to_pylist())
        by_duckdb = sorted(tuple(str(v) for v in row) for row in duckdb.sql(f"select * from read_parquet('{path}', hive_partitioning = false)").fetchall())
        same = by_arrow == by_duckdb
        ok = table.num_rows == count == output["rows"] and same
        failures += not ok
        print(f"{'ok ' if ok else 'BAD'} {output['file']:<36} pyarrow {table.num_rows:>6} duckdb {count:>6} manifest {output['rows']:>6} values {'equal' if same else 'DIFFER'}")
    money = pq.read_table(run / "claim_indemnity.parquet").schema.field("indemnity_usd").type
    print(f"indemnity_usd is {money}")
    if str(money) != "decimal128(18, 2)":
        failures += 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))

//! Publication: a run's folder is written aside and renamed into place whole, so that a
//! crash or a kill leaves the last published folder untouched.

use std::fs::File;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use polars::frame::chunk_df_for_writing;
use polars::prelude::*;

/// The name of the folder a run for `as_of` publishes.
pub fn folder_name(as_of: chrono::NaiveDate) -> String {
    format!("as_of={as_of}")
}

const STAGING_PREFIX: &str = ".staging-";

/// A folder being written, not yet visible under its final name.
pub struct Staging {
    pub dir: PathBuf,
    target: PathBuf,
    files_written: usize,
    fault_after: Option<usize>,
    /// Detail tables written but not yet synced: synced when the folder is published (by
    /// then the system has mostly written them out), so that the writer of the tables does
    /// not wait a third of a second on each national table.
    unsynced: Vec<PathBuf>,
}

impl Staging {
    /// Start writing the folder `target` (beside it, under a hidden name).
    pub fn new(root: &Path, target_name: &str) -> Result<Staging> {
        let stamp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
        let dir = root.join(format!("{STAGING_PREFIX}{target_name}-{}-{stamp}", std::process::id()));
        std::fs::create_dir_all(&dir).with_context(|| format!("cannot create `{}`", dir.display()))?;
        // test hook: fail after writing this many files, to prove a failed run leaves
        // what was published untouched
        let fault_after = std::env::var("TONGBAO_FAULT_AFTER_FILES").ok().and_then(|v| v.parse().ok());
        Ok(Staging { dir, target: root.join(target_name), files_written: 0, fault_after, unsynced: Vec::new() })
    }

    fn count_file(&mut self) -> Result<()> {
        self.files_written += 1;
        file_done(self.files_written, self.fault_after)
    }

    /// Write frames as `<stem>.parquet`, side by side: the two largest tables take most of
    /// the time, each on a core of its own. Returns each one's row count, in order. The
    /// fault points `file:N` fire as each file is done, while others may still be written.
    pub fn write_parquets(&mut self, frames: &mut [(String, DataFrame)]) -> Result<Vec<usize>> {
        use rayon::prelude::*;
        use std::sync::atomic::{AtomicUsize, Ordering};
        let (dir, fault_after) = (&self.dir, self.fault_after);
        let done = AtomicUsize::new(self.files_written);
        let rows = frames
            .par_iter_mut()
            .map(|(stem, df)| {
                let rows = write_parquet_file(&dir.join(format!("{stem}.parquet")), df)?;
                file_done(done.fetch_add(1, Ordering::SeqCst) + 1, fault_after)?;
                Ok(rows)
            })
            .collect::<Result<Vec<usize>>>();
        self.files_written = done.into_inner();
        rows
    }

    /// Start writing `<stem>.parquet`, a table with `schema`, to be handed over a row group
    /// at a time (`TableFile::write`, then `TableFile::finish`).
    pub fn create_table(&self, stem: &str, schema: &Schema) -> Result<TableFile> {
        TableFile::create(self.dir.join(format!("{stem}.parquet")), schema)
    }

    /// Write any other file (the manifest, the report).
    pub fn write_bytes(&mut self, name: &str, bytes: &[u8]) -> Result<()> {
        let path = self.dir.join(name);
        std::fs::write(&path, bytes).with_context(|| format!("cannot write `{}`", path.display()))?;
        sync(&path)?;
        self.count_file()
    }

    /// Put the folder in place in one step, once every file in it is synced: an atomic
    /// exchange with the old folder when there is one, so that readers see the old folder
    /// or the new, never neither.
    pub fn publish(self) -> Result<PathBuf> {
        for path in &self.unsynced {
            sync(path)?;
        }
        sync(&self.dir)?;
        crate::faults::point("synced");
        let root = self.target.parent().map(Path::to_path_buf).unwrap_or_default();
        if self.target.exists() {
            exchange(&self.dir, &self.target)
                .with_context(|| format!("cannot put `{}` in place of `{}`", self.dir.display(), self.target.display()))?;
            sync(&root)?;
            crate::faults::point("exchanged");
            // the old folder now lives under the staging name
            std::fs::remove_dir_all(&self.dir).with_context(|| format!("cannot remove the old run `{}`", self.dir.display()))?;
        } else {
            std::fs::rename(&self.dir, &self.target)
                .with_context(|| format!("cannot rename `{}` to `{}`", self.dir.display(), self.target.display()))?;
            crate::faults::point("renamed");
        }
        sync(&root)?;
        Ok(self.target.clone())
    }
}

/// A run that fails after its staging folder was made (a summary query that cannot run, a
/// disk that fills) takes the folder with it: at national scale it holds gigabytes of
/// detail tables. Once published, the folder is no longer under the staging name (or,
/// after an exchange, the old run is, which goes too). A killed run leaves it for the next
/// run to clear (`remove_stale_staging`).
impl Drop for Staging {
    fn drop(&mut self) {
        if self.dir.exists() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// Sync a file, or a folder's entries, to the disk.
fn sync(path: &Path) -> Result<()> {
    File::open(path).and_then(|f| f.sync_all()).with_context(|| format!("cannot sync `{}`", path.display()))
}

#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let ca = CString::new(a.as_os_str().as_bytes())?;
    let cb = CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both are valid NUL-terminated paths that live across the call.
    let rc = unsafe { libc::renameat2(libc::AT_FDCWD, ca.as_ptr(), libc::AT_FDCWD, cb.as_ptr(), libc::RENAME_EXCHANGE) };
    if rc == 0 { Ok(()) } else { Err(std::io::Error::last_os_error()) }
}

/// Elsewhere: move the old folder aside, then the new one in (a short window with neither).
#[cfg(not(target_os = "linux"))]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    let aside = a.with_extension("old");
    std::fs::rename(b, &aside)?;
    std::fs::rename(a, b)?;
    std::fs::rename(&aside, a)
}

/// Remove staging folders left by runs that died; call only while holding the lock.
pub fn remove_stale_staging(root: &Path) -> Vec<String> {
    let mut removed = Vec::new();
    let Ok(entries) = std::fs::read_dir(root) else { return removed };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        if name.starts_with(STAGING_PREFIX) && e.path().is_dir() && std::fs::remove_dir_all(e.path()).is_ok() {
            removed.push(name);
        }
    }
    removed.sort();
    removed
}

/// How every table is written: zstd, with statistics.
fn parquet_writer<W: std::io::Write>(w: W) -> ParquetWriter<W> {
    ParquetWriter::new(w).with_compression(ParquetCompression::Zstd(None)).with_statistics(StatisticsOptions::default())
}

/// Polars' default row group size, in rows.
const ROW_GROUP_SIZE: usize = 512 * 512;

/// The row counts of the row groups polars writes a single-chunk frame of `height` rows in
/// (`chunk_df_for_writing`, worked out on a column of that height): a table handed to a
/// [`TableFile`] in parts of these sizes gives the same bytes as the table written whole
/// (each part is from one to two row group sizes long, which polars leaves as it is).
pub fn row_groups(height: usize) -> Vec<usize> {
    if height == 0 {
        return vec![0];
    }
    let column = BooleanChunked::full("row".into(), false, height).into_series().into_column();
    let Ok(mut df) = DataFrame::new(height, vec![column]) else { return vec![height] };
    match chunk_df_for_writing(&mut df, ROW_GROUP_SIZE) {
        Ok(parts) => parts.columns()[0].as_materialized_series().chunk_lengths().collect(),
        Err(_) => vec![height],
    }
}

/// A table being written as Parquet, whole or a row group at a time (so that a national
/// register's table is never whole in memory): the one way tongbao writes a table.
pub struct TableFile {
    path: PathBuf,
    writer: polars::io::parquet::write::BatchedWriter<File>,
    /// How the writer encodes each column: its Parquet type and encodings, and the options.
    columns: Vec<(polars_parquet::write::ParquetType, Vec<polars_parquet::write::Encoding>)>,
    options: polars_parquet::write::WriteOptions,
    rows: usize,
}

impl TableFile {
    fn create(path: PathBuf, schema: &Schema) -> Result<TableFile> {
        let file = File::create(&path).with_context(|| format!("cannot create `{}`", path.display()))?;
        let writer = parquet_writer(file).batched(schema).map_err(anyhow::Error::from).with_context(|| format!("cannot write `{}`", path.display()))?;
        let (columns, options) = {
            let file = writer.get_writer().lock().map_err(|_| anyhow::anyhow!("cannot write `{}`", path.display()))?;
            let encodings = polars::io::parquet::write::get_encodings(file.schema());
            (file.parquet_schema().fields().iter().cloned().zip(encodings.iter().cloned()).collect(), file.options())
        };
        Ok(TableFile { path, writer, columns, options, rows: 0 })
    }

    /// Write `part`, a whole table or one of the parts [`row_groups`] gives, in the row
    /// groups polars would write it in. Each row group's columns are encoded and compressed
    /// in parallel, then written in order: the same pages polars' own `write_batch` writes,
    /// which compresses them one after the other on the writing thread.
    pub fn write(&mut self, part: &mut DataFrame) -> Result<()> {
        let failed = |e: PolarsError| anyhow::Error::from(e).context(format!("cannot write `{}`", self.path.display()));
        let groups = chunk_df_for_writing(part, ROW_GROUP_SIZE).map_err(failed)?;
        for batch in groups.iter_chunks(CompatLevel::newest(), false) {
            if batch.is_empty() {
                continue;
            }
            let pages = encode_row_group(batch.columns(), &self.columns, self.options).map_err(failed)?;
            self.writer.write_row_group(batch.len() as u64, &pages).map_err(failed)?;
        }
        self.rows += part.height();
        Ok(())
    }

    /// Close the file and count it as one of the folder's files, to be synced when the
    /// folder is published; its row count.
    pub fn finish(self, staging: &mut Staging) -> Result<usize> {
        self.writer.finish().map_err(anyhow::Error::from).with_context(|| format!("cannot write `{}`", self.path.display()))?;
        staging.unsynced.push(self.path);
        staging.count_file()?;
        Ok(self.rows)
    }

    /// Close the file and sync it; its row count.
    fn close(self) -> Result<usize> {
        self.writer.finish().map_err(anyhow::Error::from).with_context(|| format!("cannot write `{}`", self.path.display()))?;
        sync(&self.path)?;
        Ok(self.rows)
    }
}

/// A row group's pages, column after column: each column encoded and compressed on a core
/// of its own, as polars' streaming sink does.
fn encode_row_group(
    arrays: &[ArrayRef],
    columns: &[(polars_parquet::write::ParquetType, Vec<polars_parquet::write::Encoding>)],
    options: polars_parquet::write::WriteOptions,
) -> PolarsResult<Vec<Vec<polars_parquet::write::CompressedPage>>> {
    use polars_parquet::parquet::error::ParquetError;
    use polars_parquet::write::{Compressor, array_to_columns};
    use rayon::prelude::*;
    let pages: Vec<Vec<Vec<_>>> = arrays
        .par_iter()
        .zip(columns)
        .map(|(array, (parquet_type, encodings))| {
            array_to_columns(array, parquet_type.clone(), options, encodings)?
                .into_iter()
                .map(|encoded| {
                    let encoded = encoded.map(|page| page.map_err(|e| ParquetError::FeatureNotSupported(format!("reraised in polars: {e}"))));
                    Compressor::new_from_vec(encoded, options.compression, vec![]).collect::<Result<Vec<_>, _>>().map_err(PolarsError::from)
                })
                .collect()
        })
        .collect::<PolarsResult<_>>()?;
    Ok(pages.into_iter().flatten().collect())
}

/// Write a whole frame to `path` as Parquet and sync it; its row count.
fn write_parquet_file(path: &Path, df: &mut DataFrame) -> Result<usize> {
    let mut file = TableFile::create(path.to_path_buf(), df.schema())?;
    file.write(df)?;
    file.close()
}

/// The `n`th file of the folder is written: a test's fault point, and its injected failure
/// once `fault_after` files are written.
fn file_done(n: usize, fault_after: Option<usize>) -> Result<()> {
    crate::faults::point(&format!("file:{n}"));
    if fault_after.is_some_and(|after| n >= after) {
        bail!("injected fault after {n} files");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows `range` of a table with the kinds of columns the detail tables have: text,
    /// integers, flags, money, ratios and dates, with nulls.
    fn table(range: std::ops::Range<usize>) -> DataFrame {
        let n = range.len();
        let text: StringChunked = range.clone().map(|i| (i % 7 != 0).then(|| format!("9135020{i:011}"))).collect();
        let ints: Int64Chunked = range.clone().map(|i| Some(i as i64)).collect();
        let flags: BooleanChunked = range.clone().map(|i| Some(i % 3 == 0)).collect();
        let cents: Int128Chunked = range.clone().map(|i| (i % 5 != 0).then_some(i as i128 * 101)).collect();
        let days: Int32Chunked = range.clone().map(|i| (i % 4 != 0).then_some(19_000 + (i % 400) as i32)).collect();
        let basis_points: Int128Chunked = range.map(|i| (i % 6 != 0).then_some((i % 10_001) as i128)).collect();
        DataFrame::new(
            n,
            vec![
                text.with_name("uscc".into()).into_column(),
                ints.with_name("row".into()).into_column(),
                flags.with_name("flag".into()).into_column(),
                cents.with_name("usd".into()).into_decimal(18, 2).unwrap().into_series().into_column(),
                days.with_name("on".into()).into_series().cast(&DataType::Date).unwrap().into_column(),
                basis_points.with_name("ratio".into()).into_decimal(6, 4).unwrap().into_series().into_column(),
            ],
        )
        .unwrap()
    }

    #[test]
    fn row_groups_cover_the_table_as_polars_splits_it() {
        assert_eq!(row_groups(0), vec![0]);
        assert_eq!(row_groups(1), vec![1]);
        assert_eq!(row_groups(ROW_GROUP_SIZE - 1), vec![ROW_GROUP_SIZE - 1]);
        for n in [ROW_GROUP_SIZE, 2 * ROW_GROUP_SIZE + 5, 990_009] {
            let groups = row_groups(n);
            assert_eq!(groups.iter().sum::<usize>(), n);
            assert_eq!(groups.len(), n / ROW_GROUP_SIZE, "{n}: {groups:?}");
            // each part is left as it is when written: one to two row group sizes long
            assert!(groups.iter().all(|&g| (ROW_GROUP_SIZE..2 * ROW_GROUP_SIZE).contains(&g)), "{n}: {groups:?}");
        }
    }

    #[test]
    fn a_table_written_in_parts_has_the_bytes_of_the_table_written_whole() {
        let dir = tempfile::tempdir().unwrap();
        let mut staging = Staging::new(dir.path(), "t").unwrap();
        for n in [0, 10, 2 * ROW_GROUP_SIZE + 1_001] {
            // the table written whole by polars' own writer, with tongbao's settings
            let mut whole = table(0..n);
            parquet_writer(File::create(staging.dir.join("whole.parquet")).unwrap()).finish(&mut whole).unwrap();
            let mut file = staging.create_table("parts", whole.schema()).unwrap();
            let mut start = 0;
            for rows in row_groups(n) {
                // each part built on its own, as the detail tables are
                file.write(&mut table(start..start + rows)).unwrap();
                start += rows;
            }
            assert_eq!(file.finish(&mut staging).unwrap(), n);
            let read = |name: &str| std::fs::read(staging.dir.join(name)).unwrap();
            assert!(read("whole.parquet") == read("parts.parquet"), "{n} rows: the bytes differ");
        }
    }
}

#nullable enable
namespace KerasNet.Saving;

/// <summary>
/// Writes files so that a crash or kill leaves either the old file or the complete new one: the content goes to
/// a temporary file in the target's folder, is flushed to disk, then renamed over the target. A process killed
/// mid-write leaves its temporary file (<c>.name.pid.guid.tmp</c>) behind; the next write of the same target deletes
/// those whose process is gone, so at most one per killed writer exists between two saves.
/// </summary>
internal static class AtomicFile
{
    /// <summary>Writes through <paramref name="write"/> into a temporary file, then replaces <paramref name="path"/>.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        using var pending = Begin(path);
        try { write(pending.Stream); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KerasNetException($"{path}: cannot write the file ({e.Message}).", e);
        }
        pending.Commit();
    }

    /// <summary>
    /// Starts an atomic write that the caller fills over time (a result file written as a command streams): the
    /// returned file's <see cref="PendingFile.Stream"/> is a seekable temporary file beside <paramref name="path"/>;
    /// <see cref="PendingFile.Commit"/> flushes it to disk and renames it over the target, and disposing it without a
    /// commit deletes it, so the target holds its old content or the complete new one, never a part.
    /// </summary>
    public static PendingFile Begin(string path)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        try { Directory.CreateDirectory(dir); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new KerasNetException($"{path}: cannot create folder '{dir}' ({e.Message}).", e); }
        var tmp = Path.Combine(dir, $"{TempPrefix(full)}{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        DeleteStaleTemps(dir, full);
        try { return new PendingFile(path, full, tmp, new FileStream(tmp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(tmp);
            throw new KerasNetException($"{path}: cannot write the file ({e.Message}).", e);
        }
    }

    /// <summary>An atomic write in progress (see <see cref="Begin"/>).</summary>
    public sealed class PendingFile : IDisposable
    {
        private readonly string _path, _full, _tmp;
        private bool _done;

        internal PendingFile(string path, string full, string tmp, FileStream stream)
        {
            _path = path; _full = full; _tmp = tmp;
            Stream = stream;
        }

        /// <summary>The temporary file (seekable, so a header can be patched once the content is known).</summary>
        public FileStream Stream { get; }

        /// <summary>The temporary file's path (a hidden <c>.name.pid.guid.tmp</c> beside the target).</summary>
        public string TempPath => _tmp;

        /// <summary>Flushes the content to disk and renames it over the target.</summary>
        public void Commit()
        {
            if (_done) throw new InvalidOperationException($"{_path}: already committed or abandoned.");
            try
            {
                Stream.Flush(flushToDisk: true);
                Stream.Dispose();
                File.Move(_tmp, _full, overwrite: true);
                _done = true;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Dispose();
                throw new KerasNetException($"{_path}: cannot write the file ({e.Message}).", e);
            }
        }

        /// <summary>Abandons the write unless it was committed: the temporary file is deleted, the target kept.</summary>
        public void Dispose()
        {
            if (_done) return;
            _done = true;
            try { Stream.Dispose(); } catch (IOException) { }
            TryDelete(_tmp);
        }
    }

    /// <summary>Writes bytes atomically.</summary>
    public static void WriteAllBytes(string path, byte[] bytes) => Write(path, s => s.Write(bytes));

    /// <summary>Writes text (UTF-8, no BOM) atomically.</summary>
    public static void WriteAllText(string path, string text) => WriteAllBytes(path, new System.Text.UTF8Encoding(false).GetBytes(text));

    private static string TempPrefix(string fullPath) => $".{Path.GetFileName(fullPath)}.";

    /// <summary>
    /// Deletes temporary files of <paramref name="fullPath"/> left by writers that no longer run. A file of a live
    /// process (another thread or program still writing) is kept; so is one whose name does not parse.
    /// </summary>
    internal static void DeleteStaleTemps(string dir, string fullPath)
    {
        string prefix = TempPrefix(fullPath);
        IEnumerable<string> candidates;
        try { candidates = Directory.EnumerateFiles(dir, prefix + "*.tmp").ToList(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return; }
        foreach (var f in candidates)
        {
            var name = Path.GetFileName(f);
            if (!name.StartsWith(prefix, StringComparison.Ordinal) || name.Length < prefix.Length + ".tmp".Length) continue;
            var middle = name.AsSpan(prefix.Length, name.Length - prefix.Length - ".tmp".Length);
            int dot = middle.IndexOf('.');
            // Exactly "<pid>.<32 hex digits>": a longer target name sharing the prefix ("m.h5.5") never matches.
            if (dot <= 0 || middle.Length - dot - 1 != 32 || !Guid.TryParseExact(middle[(dot + 1)..], "N", out _)
                || !int.TryParse(middle[..dot], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int pid)) continue;
            if (pid != Environment.ProcessId && !IsRunning(pid)) TryDelete(f);
        }
    }

    /// <summary>
    /// Deletes every temporary file in <paramref name="dir"/> (<c>.name.pid.guid.tmp</c>, whatever the target) whose
    /// writer no longer runs, as a command does at start for its output folder; returns how many it deleted.
    /// </summary>
    public static int DeleteStaleTemps(string dir)
    {
        if (!Directory.Exists(dir)) return 0;
        List<string> candidates;
        try { candidates = Directory.EnumerateFiles(dir, ".*.tmp").ToList(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return 0; }
        int deleted = 0;
        foreach (var f in candidates)
        {
            if (WriterPid(Path.GetFileName(f)) is not int pid || pid == Environment.ProcessId || IsRunning(pid)) continue;
            TryDelete(f);
            if (!File.Exists(f)) deleted++;
        }
        return deleted;
    }

    /// <summary>The writer's process id in a temporary file's name (<c>.name.pid.guid.tmp</c>), or null.</summary>
    internal static int? WriterPid(string fileName)
    {
        if (!fileName.StartsWith('.') || !fileName.EndsWith(".tmp", StringComparison.Ordinal)) return null;
        var stem = fileName.AsSpan(0, fileName.Length - ".tmp".Length);
        int g = stem.LastIndexOf('.');
        if (g <= 0 || stem.Length - g - 1 != 32 || !Guid.TryParseExact(stem[(g + 1)..], "N", out _)) return null;
        var rest = stem[..g];
        int p = rest.LastIndexOf('.');
        if (p <= 0) return null;
        return int.TryParse(rest[(p + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int pid) ? pid : null;
    }

    /// <summary>Whether a process with this id runs (a process that exists but cannot be inspected counts as running).</summary>
    public static bool IsRunning(int pid)
    {
        try
        {
            using var p = System.Diagnostics.Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
        catch (System.ComponentModel.Win32Exception) { return true; } // exists but is not ours to inspect
        catch (NotSupportedException) { return true; }
    }

    private static void TryDelete(string p)
    {
        try { File.Delete(p); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

#nullable enable
using System.Globalization;
using KerasNet.Saving;

namespace KerasNet.ConsoleApp.Commands;

/// <summary>
/// The output folder of one <c>train</c> run, so that the folder always holds one run's consistent files. Before any
/// work the folder is checked (<see cref="Check"/>: it can be created, nothing is in the way, it is writable, and the
/// disk has room for the model file), and temporary files of dead writers are removed. Every file is then written into
/// a fresh staging folder inside it (<c>.kerasnet-run.&lt;pid&gt;.&lt;guid&gt;</c>, same disk, so moving is a rename) and
/// <see cref="Commit"/> moves them in: the run record first, the model files (<c>network.json</c>, <c>weights.hdf5</c>)
/// last. Until the commit the previous run's files stay as they were; a failure or interruption before it removes the
/// staging folder and leaves them intact.
/// </summary>
public sealed class OutputSet : IDisposable
{
    /// <summary>The prefix of staging folders.</summary>
    public const string StagingPrefix = ".kerasnet-run.";

    private bool _done;

    private OutputSet(string folder, string staging)
    {
        Folder = folder;
        Staging = staging;
    }

    /// <summary>The output folder.</summary>
    public string Folder { get; }

    /// <summary>Where this run's files are written until <see cref="Commit"/>.</summary>
    public string Staging { get; }

    /// <summary>The staged path of an output file (or folder).</summary>
    public string PathOf(string name) => System.IO.Path.Combine(Staging, name);

    /// <summary>
    /// Checks <paramref name="folder"/> for a run that will write the files named in <paramref name="outputs"/> (at
    /// least <paramref name="requiredBytes"/> in all), removes leftovers of dead runs, and opens a staging folder.
    /// <paramref name="freeBytes"/> replaces the disk's free space (tests).
    /// </summary>
    public static OutputSet Begin(string folder, IEnumerable<string> outputs, long requiredBytes, long? freeBytes = null)
    {
        Check(folder, outputs, requiredBytes, freeBytes);
        var full = System.IO.Path.GetFullPath(folder);
        RemoveStale(full);
        var staging = System.IO.Path.Combine(full, $"{StagingPrefix}{Environment.ProcessId}.{Guid.NewGuid():N}");
        try { Directory.CreateDirectory(staging); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KerasNetException($"{folder}: cannot write in the output folder ({e.Message}).", e);
        }
        return new OutputSet(full, staging);
    }

    /// <summary>
    /// The checks <see cref="Begin"/> makes, each failing with a message naming the folder: the folder exists or can
    /// be created (no file in its place or in its path), no output name is taken by a folder (or, for a name ending in
    /// '/', by a file), a file can be written in it, and its disk has at least <paramref name="requiredBytes"/> free (the
    /// new files are written beside the old ones, which go only when the new ones replace them).
    /// </summary>
    public static void Check(string folder, IEnumerable<string> outputs, long requiredBytes, long? freeBytes = null)
    {
        var full = System.IO.Path.GetFullPath(folder);
        if (File.Exists(full)) throw new KerasNetException($"{folder}: the output folder is a file; remove it or give another --output.");
        try { Directory.CreateDirectory(full); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KerasNetException($"{folder}: cannot create the output folder ({e.Message}).", e);
        }
        foreach (var name in outputs)
        {
            var p = System.IO.Path.Combine(full, name);
            bool wantsFolder = name.EndsWith('/');
            if (!wantsFolder && Directory.Exists(p.TrimEnd('/'))) throw new KerasNetException($"{p}: a folder is in the way of the output file; remove it.");
            if (wantsFolder && File.Exists(p.TrimEnd('/'))) throw new KerasNetException($"{p.TrimEnd('/')}: a file is in the way of the output folder; remove it.");
        }
        var probe = System.IO.Path.Combine(full, $".kerasnet-probe.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var s = new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose)) s.WriteByte(0);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KerasNetException($"{folder}: the output folder is not writable ({e.Message}).", e);
        }
        finally { try { File.Delete(probe); } catch (IOException) { } catch (UnauthorizedAccessException) { } }
        long free = freeBytes ?? FreeSpace(full);
        if (free >= 0 && free < requiredBytes)
            throw new KerasNetException($"{folder}: the disk has {Mb(free)} free, but this run writes about {Mb(requiredBytes)} (the model file and its reports); free some space or give another --output.");
    }

    /// <summary>Free bytes on the disk holding <paramref name="folder"/> (-1 when unknown).</summary>
    public static long FreeSpace(string folder)
    {
        try { return new DriveInfo(folder).AvailableFreeSpace; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException) { return -1; }
    }

    /// <summary>Removes staging folders and temporary files in <paramref name="folder"/> left by runs that no longer run; returns how many.</summary>
    public static int RemoveStale(string folder)
    {
        int removed = AtomicFile.DeleteStaleTemps(folder);
        string[] dirs;
        try { dirs = Directory.GetDirectories(folder, StagingPrefix + "*"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return removed; }
        foreach (var d in dirs)
        {
            var rest = System.IO.Path.GetFileName(d)[StagingPrefix.Length..];
            int dot = rest.IndexOf('.');
            if (dot <= 0 || !int.TryParse(rest[..dot], NumberStyles.None, CultureInfo.InvariantCulture, out int pid)) continue;
            if (pid == Environment.ProcessId || AtomicFile.IsRunning(pid)) continue;
            if (TryDeleteTree(d)) removed++;
        }
        return removed;
    }

    /// <summary>
    /// Moves the staged files into the folder: <paramref name="first"/> (the run record) first, then every other
    /// staged file and folder, then <paramref name="last"/> in order. Each move is a rename on the same disk; a folder
    /// replaces the old one of that name (the old one is moved aside, then removed with the staging folder).
    /// <paramref name="moved"/> hears each name once it is in place.
    /// </summary>
    public void Commit(IReadOnlyList<string> first, IReadOnlyList<string> last, Action<string>? moved = null)
    {
        if (_done) throw new InvalidOperationException("already committed or abandoned.");
        var named = new HashSet<string>(first.Concat(last), StringComparer.Ordinal);
        var middle = Directory.EnumerateFileSystemEntries(Staging).Select(System.IO.Path.GetFileName).Select(n => n!)
            .Where(n => !named.Contains(n)).Order(StringComparer.Ordinal).ToList();
        try
        {
            foreach (var name in first.Concat(middle).Concat(last))
            {
                MoveIn(name);
                moved?.Invoke(name);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KerasNetException($"{Folder}: cannot move the new files in ({e.Message}); the files moved so far are listed in run.json's order.", e);
        }
        _done = true;
        TryDeleteTree(Staging);
    }

    private void MoveIn(string name)
    {
        string from = PathOf(name), to = System.IO.Path.Combine(Folder, name);
        if (Directory.Exists(from))
        {
            if (Directory.Exists(to)) Directory.Move(to, PathOf($".old-{name}"));
            Directory.Move(from, to);
        }
        else if (File.Exists(from))
        {
            File.Move(from, to, overwrite: true);
        }
        else throw new KerasNetException($"{from}: the run did not write this file.");
    }

    /// <summary>Removes the staging folder unless committed: the folder keeps the previous run's files.</summary>
    public void Dispose()
    {
        if (_done) return;
        _done = true;
        TryDeleteTree(Staging);
    }

    private static bool TryDeleteTree(string dir)
    {
        try { Directory.Delete(dir, recursive: true); return true; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or DirectoryNotFoundException) { return !Directory.Exists(dir); }
    }

    private static string Mb(long bytes) => $"{bytes / 1e6:F1} MB";
}

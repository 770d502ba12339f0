#nullable enable
using System.IO.Compression;
using System.Text;
using KerasNet.Models;

namespace KerasNet.Saving;

/// <summary>
/// Keras 3's <c>.keras</c> zip: <c>metadata.json</c>, <c>config.json</c>, <c>model.weights.h5</c>, in that order and
/// stored uncompressed as Keras writes them. Reading accepts deflated entries, refuses archives with missing entries,
/// path-traversal names or entries larger than their limits before inflating them.
/// </summary>
internal static class KerasArchive
{
    private static long MaxJsonBytes => KerasContext.Current.Limits.MaxArchiveJsonBytes;
    private static long MaxWeightsBytes => KerasContext.Current.Limits.MaxArchiveWeightsBytes;
    private const long MaxInflateRatio = 1032;

    /// <summary>Writes the archive atomically.</summary>
    public static void Save(Model model, string path)
    {
        var config = ModelConfigWriter.Keras3(model, TrainingConfig.Keras3(model));
        var metadata = new System.Text.Json.Nodes.JsonObject
        {
            ["keras_version"] = ModelConfigWriter.Keras3Version,
            ["date_saved"] = DateTime.Now.ToString("yyyy-MM-dd@HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture),
        };
        var weights = ModelFiles.ToBytes(Keras3Weights.Build(model, includeOptimizer: model.IsCompiled), path);
        AtomicFile.Write(path, stream =>
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
            Add(zip, "metadata.json", Encoding.UTF8.GetBytes(PyJson.Dumps(metadata)));
            Add(zip, "config.json", Encoding.UTF8.GetBytes(PyJson.Dumps(config)));
            Add(zip, "model.weights.h5", weights);
        });
    }

    private static void Add(ZipArchive zip, string name, byte[] bytes)
    {
        var e = zip.CreateEntry(name, CompressionLevel.NoCompression);
        e.LastWriteTime = new DateTimeOffset(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);
        using var s = e.Open();
        s.Write(bytes);
    }

    /// <summary>
    /// The config.json text, the weights file (as an HDF5 reader) and metadata.json's keras_version (null when the
    /// archive has no metadata or it names none) of an archive.
    /// </summary>
    public static (string ConfigJson, H5Reader Weights, string? KerasVersion) Open(string path)
    {
        if (!File.Exists(path)) throw new InvalidModelFileException(path, "file not found.");
        try
        {
            using var zip = ZipFile.OpenRead(path);
            foreach (var e in zip.Entries) CheckName(path, e.FullName);
            string config = Encoding.UTF8.GetString(ReadEntry(zip, path, "config.json", MaxJsonBytes));
            string? version = zip.GetEntry("metadata.json") is null ? null
                : MetadataVersion(path, Encoding.UTF8.GetString(ReadEntry(zip, path, "metadata.json", MaxJsonBytes)));
            var weights = new MemoryStream(ReadEntry(zip, path, "model.weights.h5", MaxWeightsBytes), writable: false);
            return (config, H5Reader.Open(weights, $"{path}!model.weights.h5"), version);
        }
        catch (InvalidDataException e) { throw new InvalidModelFileException(path, $"not a valid .keras (zip) archive ({e.Message}).", e); }
        catch (IOException e) { throw new InvalidModelFileException(path, $"cannot read the archive ({e.Message}).", e); }
        catch (UnauthorizedAccessException e) { throw new InvalidModelFileException(path, $"cannot read the archive ({e.Message}).", e); }
    }

    // metadata.json's keras_version ("3.11.3"; tf.keras 2.13-2.15 write their own version). Null when absent or when the
    // metadata is not valid JSON: it only informs how a few names are read, and the config's own form decides then.
    private static string? MetadataVersion(string path, string json)
    {
        try
        {
            return ModelConfigReader.ParseObject(json, $"{path}!metadata.json")["keras_version"] is System.Text.Json.Nodes.JsonValue v
                && v.GetValueKind() == System.Text.Json.JsonValueKind.String ? v.GetValue<string>() : null;
        }
        catch (ModelConfigException) { return null; }
    }

    /// <summary>Rejects entry names that would escape an extraction folder (zip-slip), as a safe extractor must.</summary>
    internal static void CheckName(string path, string name)
    {
        var parts = name.Replace('\\', '/').Split('/');
        if (name.StartsWith('/') || name.StartsWith('\\') || (name.Length > 1 && name[1] == ':') || parts.Contains("..") || name.Contains('\0'))
            throw new InvalidModelFileException(path, $"unsafe entry name '{name}' in the archive (absolute path or path traversal).");
    }

    private static byte[] ReadEntry(ZipArchive zip, string path, string name, long limit)
    {
        var e = zip.GetEntry(name) ?? throw new InvalidModelFileException(path, $"the archive has no '{name}' entry; a .keras file needs metadata.json, config.json and model.weights.h5.");
        if (e.Length > limit) throw new InvalidModelFileException(path, $"entry '{name}' declares {e.Length} bytes, more than the {limit}-byte limit.");
        // The buffer is allocated at the declared size, so that size must be one the stored bytes can produce:
        // no more than the archive holds, inflated at most ~1032:1 (deflate's limit).
        long archive = new FileInfo(path).Length;
        if (e.CompressedLength > archive || e.Length > e.CompressedLength * MaxInflateRatio + 1024)
            throw new InvalidModelFileException(path, $"entry '{name}' declares {e.Length} bytes from {e.CompressedLength} stored bytes in a {archive}-byte archive: the archive is corrupt.");
        var buf = new byte[e.Length];
        using var s = e.Open();
        int read = 0;
        while (read < buf.Length)
        {
            int n = s.Read(buf, read, buf.Length - read);
            if (n == 0) throw new InvalidModelFileException(path, $"entry '{name}' is truncated ({read} of {e.Length} bytes).");
            read += n;
        }
        if (s.ReadByte() != -1) throw new InvalidModelFileException(path, $"entry '{name}' holds more data than it declares.");
        return buf;
    }
}

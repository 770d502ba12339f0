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
    /// Opens an archive and reads its config.json (at most <see cref="KerasLimits.MaxArchiveJsonBytes"/>) and
    /// metadata.json's keras_version (null when the archive has no metadata or it names none); the weights entry is
    /// inflated later by <see cref="Reader.Weights"/>, once the caller knows from the config how large it can be.
    /// </summary>
    public static Reader Open(string path)
    {
        RegularFile.RequireModelFile(path);
        ZipArchive? zip = null;
        try
        {
            zip = ZipFile.OpenRead(path);
            foreach (var e in zip.Entries) CheckName(path, e.FullName);
            const string jsonLimit = "KerasContext.Current.Limits.MaxArchiveJsonBytes";
            string config = Encoding.UTF8.GetString(ReadEntry(zip, path, "config.json", MaxJsonBytes, jsonLimit));
            string? version = zip.GetEntry("metadata.json") is null ? null
                : MetadataVersion(path, Encoding.UTF8.GetString(ReadEntry(zip, path, "metadata.json", MaxJsonBytes, jsonLimit)));
            var reader = new Reader(path, zip, config, version);
            zip = null;
            return reader;
        }
        catch (InvalidDataException e) { throw new InvalidModelFileException(path, $"not a valid .keras (zip) archive ({e.Message}).", e); }
        catch (IOException e) { throw new InvalidModelFileException(path, $"cannot read the archive ({e.Message}).", e); }
        catch (UnauthorizedAccessException e) { throw new InvalidModelFileException(path, $"cannot read the archive ({e.Message}).", e); }
        finally { zip?.Dispose(); }
    }

    /// <summary>An open archive whose config has been read.</summary>
    internal sealed class Reader(string path, ZipArchive zip, string configJson, string? kerasVersion) : IDisposable
    {
        /// <summary>The config.json text.</summary>
        public string ConfigJson { get; } = configJson;

        /// <summary>metadata.json's keras_version, or null.</summary>
        public string? KerasVersion { get; } = kerasVersion;

        /// <summary>
        /// The weights entry as an HDF5 reader. It is refused before anything is inflated when it declares more than
        /// <paramref name="modelBytes"/> (what the weights of the model the config describes can take, optimizer
        /// state included; see <see cref="MaxWeightsFileBytes"/>) or than <see cref="KerasLimits.MaxArchiveWeightsBytes"/>.
        /// </summary>
        public H5Reader Weights(long modelBytes, string model)
        {
            try
            {
                var e = Entry(zip, path, "model.weights.h5");
                if (e.Length > modelBytes)
                    throw new InvalidModelFileException(path,
                        $"entry 'model.weights.h5' declares {e.Length} bytes, but the weights of {model} (with any optimizer state) need at most {modelBytes}: the archive is corrupt or not this model's.");
                var bytes = ReadEntry(zip, path, "model.weights.h5", MaxWeightsBytes, "KerasContext.Current.Limits.MaxArchiveWeightsBytes");
                return H5Reader.Open(new MemoryStream(bytes, writable: false), $"{path}!model.weights.h5");
            }
            catch (InvalidDataException e) { throw new InvalidModelFileException(path, $"not a valid .keras (zip) archive ({e.Message}).", e); }
            catch (IOException e) { throw new InvalidModelFileException(path, $"cannot read the archive ({e.Message}).", e); }
        }

        public void Dispose() => zip.Dispose();
    }

    /// <summary>
    /// The most bytes a Keras 3 weights file of <paramref name="model"/> can take: every value of the model's weights
    /// and of up to four optimizer slots per weight (Adam with amsgrad and an EMA keeps four) at 8 bytes (float64), and
    /// 64 KiB of HDF5 structure per stored array plus 1 MiB. Real files are a fraction of this; a larger declared entry
    /// cannot be this model's weights.
    /// </summary>
    internal static long MaxWeightsFileBytes(Model model)
    {
        const long Slots = 5, BytesPerValue = 8, PerArray = 64 << 10, Fixed = 1 << 20;
        long values = 0, arrays = 0;
        foreach (var w in model.Weights)
        {
            values += w.Value.Length;
            arrays++;
        }
        return Fixed + Slots * (values * BytesPerValue + arrays * PerArray);
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

    private static ZipArchiveEntry Entry(ZipArchive zip, string path, string name) =>
        zip.GetEntry(name) ?? throw new InvalidModelFileException(path, $"the archive has no '{name}' entry; a .keras file needs metadata.json, config.json and model.weights.h5.");

    /// <summary>
    /// Inflates one entry into memory after checking its declared size against <paramref name="limit"/>, the largest
    /// array .NET can allocate, and what its stored bytes can inflate to; the copy stops as soon as the data runs past
    /// the declared size (a lying header cannot make it read more). All sizes are 64-bit.
    /// </summary>
    private static byte[] ReadEntry(ZipArchive zip, string path, string name, long limit, string limitName)
    {
        var e = Entry(zip, path, name);
        long declared = e.Length, stored = e.CompressedLength;
        if (declared > limit) throw new InvalidModelFileException(path, $"entry '{name}' declares {declared} bytes, more than the {limit}-byte limit ({limitName}).");
        if (declared > Array.MaxLength)
            throw new InvalidModelFileException(path, $"entry '{name}' declares {declared} bytes; KerasNet reads an entry of at most {Array.MaxLength} bytes (the largest .NET array).");
        // The buffer is allocated at the declared size, so that size must be one the stored bytes can produce:
        // no more than the archive holds, inflated at most ~1032:1 (deflate's limit).
        long archive = new FileInfo(path).Length;
        if (declared < 0 || stored < 0 || stored > archive || declared > stored * MaxInflateRatio + 1024)
            throw new InvalidModelFileException(path, $"entry '{name}' declares {declared} bytes from {stored} stored bytes in a {archive}-byte archive: the archive is corrupt.");
        var buf = new byte[declared];
        using var s = e.Open();
        long read = 0;
        while (read < declared)
        {
            int n = s.Read(buf, (int)read, (int)Math.Min(declared - read, 1 << 20));
            if (n == 0) throw new InvalidModelFileException(path, $"entry '{name}' is truncated ({read} of {declared} bytes).");
            read += n;
        }
        if (s.ReadByte() != -1) throw new InvalidModelFileException(path, $"entry '{name}' holds more data than it declares ({declared} bytes).");
        return buf;
    }
}

#nullable enable
using PureHDF;
using PureHDF.VOL.Native;

namespace KerasNet.Saving;

/// <summary>
/// A thin, defensive layer over PureHDF for Keras files: every failure becomes a <see cref="KerasNetException"/>
/// naming the file and the object, declared sizes are checked against the file length before anything is allocated,
/// and string attributes are read whatever their storage (fixed or variable length, ASCII or UTF-8, split into
/// <c>name0</c>, <c>name1</c>, ... as Keras does for long lists).
/// </summary>
internal sealed class H5Reader : IDisposable
{
    private static readonly byte[] Signature = [0x89, (byte)'H', (byte)'D', (byte)'F', 0x0d, 0x0a, 0x1a, 0x0a];
    private readonly NativeFile _file;
    private readonly long _length;

    private H5Reader(NativeFile file, string name, long length)
    {
        _file = file;
        Name = name;
        _length = length;
    }

    /// <summary>The file name used in messages.</summary>
    public string Name { get; }

    /// <summary>The root group.</summary>
    public IH5Group Root => _file;

    /// <summary>Opens a file after checking that it exists and starts with the HDF5 signature.</summary>
    public static H5Reader Open(string path)
    {
        RegularFile.RequireModelFile(path);
        FileStream fs;
        try { fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new InvalidModelFileException(path, $"cannot read the file ({e.Message}).", e); }
        try { return Open(fs, path); }
        catch { fs.Dispose(); throw; }
    }

    /// <summary>Opens an HDF5 image held in a seekable stream (which the reader then owns).</summary>
    public static H5Reader Open(Stream stream, string name)
    {
        long length = stream.Length;
        long superblockAt = CheckSignature(stream, name, length);
        // PureHDF decodes the root group's object header as it opens the file, so the checks come first.
        H5Integrity.Validate(stream, length, superblockAt, name);
        stream.Position = 0;
        try { return new H5Reader(H5File.Open(stream, leaveOpen: false), name, length); }
        catch (Exception e) when (e is not KerasNetException) { throw Corrupt(name, "the HDF5 superblock", e); }
    }

    private static long CheckSignature(Stream s, string name, long length)
    {
        // HDF5 looks for its signature at 0, 512, 1024, 2048, ... (a user block may precede it).
        var buf = new byte[8];
        for (long at = 0; at + 8 <= length; at = at == 0 ? 512 : at * 2)
        {
            s.Position = at;
            s.ReadExactly(buf);
            if (buf.AsSpan().SequenceEqual(Signature)) return at;
        }
        throw new InvalidModelFileException(name, length < 8 ? $"not an HDF5 file (only {length} bytes)." : "not an HDF5 file (no HDF5 signature).");
    }

    /// <summary>Runs a PureHDF call, turning its failures into a message that names the file and what was read.</summary>
    public T Guard<T>(string what, Func<T> read)
    {
        try { return read(); }
        catch (Exception e) when (e is not KerasNetException) { throw Corrupt(Name, what, e); }
    }

    private static InvalidModelFileException Corrupt(string name, string what, Exception e) =>
        // Under NativeAOT PureHDF's reflection-made generic reads have native code only for the element types listed in
        // PureHDF.rd.xml (the ones KerasNet reads); any other type is not the file's fault.
        PureHdfAot.IsMissingNativeCode(e)
            ? new(name, $"cannot read {what}: {PureHdfAot.Explain("read", e)}", e)
            : new(name, $"corrupt or truncated HDF5 file: cannot read {what} ({e.GetType().Name}: {e.Message}).", e);

    /// <summary>Whether a link exists in a group.</summary>
    public bool Exists(IH5Group g, string path) => Guard($"link '{path}'", () => g.LinkExists(path));

    /// <summary>A subgroup, or null when absent.</summary>
    public IH5Group? Group(IH5Group g, string path) =>
        Guard($"group '{path}'", () => g.LinkExists(path) && g.Get(path) is IH5Group sub ? sub : null);

    /// <summary>The names of a group's children, in file order.</summary>
    public List<string> ChildNames(IH5Group g) => Guard($"children of '{g.Name}'", () => g.Children().Select(c => c.Name).ToList());

    /// <summary>Whether an attribute exists.</summary>
    public bool HasAttribute(IH5Object o, string name) => Guard($"attribute '{name}'", () => o.AttributeExists(name));

    /// <summary>A scalar (or one-element) string attribute, or null when absent.</summary>
    public string? StringAttribute(IH5Object o, string name)
    {
        if (!HasAttribute(o, name)) return null;
        var list = ReadStrings(o, name);
        return list.Count == 1 ? list[0] : throw new InvalidModelFileException(Name, $"attribute '{name}' of '{o.Name}' should hold one string but holds {list.Count}.");
    }

    /// <summary>
    /// A list-of-strings attribute (<c>layer_names</c>, <c>weight_names</c>), concatenating Keras's split parts
    /// <c>name0</c>, <c>name1</c>, ...; an empty float64 array (Keras's "no weights") gives an empty list; null when absent.
    /// </summary>
    public List<string>? StringListAttribute(IH5Object o, string name)
    {
        if (HasAttribute(o, name)) return ReadStrings(o, name);
        if (!HasAttribute(o, name + "0")) return null;
        var all = new List<string>();
        for (int i = 0; HasAttribute(o, name + i); i++) all.AddRange(ReadStrings(o, name + i));
        return all;
    }

    private List<string> ReadStrings(IH5Object o, string name) => Guard($"attribute '{name}' of '{o.Name}'", () =>
    {
        var a = o.Attribute(name);
        long count = CheckedCount(a.Space, $"attribute '{name}'");
        if (count == 0) return new List<string>();
        var cls = a.Type.Class;
        if (cls is not (H5DataTypeClass.String or H5DataTypeClass.VariableLength))
            throw new InvalidModelFileException(Name, $"attribute '{name}' of '{o.Name}' is {cls}, not a string.");
        // Fixed-length strings occupy count * size bytes in the header; vlen ones point into the global heap.
        if (cls == H5DataTypeClass.String) CheckFits(count * a.Type.Size, $"attribute '{name}'");
        else CheckFits(count * 16, $"attribute '{name}'");
        var values = a.Space.Type == H5DataspaceType.Scalar ? [a.Read<string>()] : a.Read<string[]>();
        // h5py writes fixed-length strings NULLPAD: a shorter name is zero-padded.
        return values.Select(v => (v ?? "").TrimEnd('\0')).ToList();
    });

    /// <summary>A float dataset as float32 with its shape; sizes are validated against the file length first.</summary>
    public (float[] Data, int[] Shape) ReadFloats(IH5Group g, string path)
    {
        var ds = Dataset(g, path);
        return Guard($"dataset '{path}'", () =>
        {
            long count = CheckedCount(ds.Space, $"dataset '{path}'");
            var shape = ds.Space.Type == H5DataspaceType.Scalar ? Array.Empty<int>() : ds.Space.Dimensions.Select(d => (int)d).ToArray();
            var type = ds.Type;
            CheckFits(count * type.Size, $"dataset '{path}'");
            float[] data = (type.Class, type.Size) switch
            {
                (H5DataTypeClass.FloatingPoint, 4) => ds.Read<float[]>(),
                (H5DataTypeClass.FloatingPoint, 8) => ds.Read<double[]>().Select(d => (float)d).ToArray(),
                (H5DataTypeClass.FloatingPoint, 2) => ds.Read<Half[]>().Select(h => (float)h).ToArray(),
                _ => throw new InvalidModelFileException(Name, $"dataset '{path}' has type {type.Class} of {type.Size} bytes; expected float32."),
            };
            if (data.Length != count) throw new InvalidModelFileException(Name, $"dataset '{path}' holds {data.Length} values but declares {count}.");
            return (data, shape);
        });
    }

    /// <summary>A scalar integer dataset (an optimizer's iteration counter).</summary>
    public long ReadInt64(IH5Group g, string path)
    {
        var ds = Dataset(g, path);
        return Guard($"dataset '{path}'", () =>
        {
            long count = CheckedCount(ds.Space, $"dataset '{path}'");
            if (count != 1) throw new InvalidModelFileException(Name, $"dataset '{path}' should be a scalar but has {count} values.");
            return (ds.Type.Class, ds.Type.Size) switch
            {
                (H5DataTypeClass.FixedPoint, 8) => ds.Read<long[]>()[0],
                (H5DataTypeClass.FixedPoint, 4) => ds.Read<int[]>()[0],
                (H5DataTypeClass.FloatingPoint, 4) => (long)ds.Read<float[]>()[0],
                (H5DataTypeClass.FloatingPoint, 8) => (long)ds.Read<double[]>()[0],
                _ => throw new InvalidModelFileException(Name, $"dataset '{path}' has type {ds.Type.Class}; expected an integer."),
            };
        });
    }

    /// <summary>Whether a path names a dataset.</summary>
    public bool IsDataset(IH5Group g, string path) => Guard($"dataset '{path}'", () => g.LinkExists(path) && g.Get(path) is IH5Dataset);

    private IH5Dataset Dataset(IH5Group g, string path) => Guard($"dataset '{path}'", () =>
        g.LinkExists(path) && g.Get(path) is IH5Dataset d ? d
            : throw new InvalidModelFileException(Name, $"dataset '{path}' not found in group '{g.Name}'."));

    private long CheckedCount(IH5Dataspace space, string what)
    {
        if (space.Type == H5DataspaceType.Null) return 0;
        if (space.Type == H5DataspaceType.Scalar) return 1;
        long count = 1;
        foreach (var d in space.Dimensions)
        {
            if (d > (ulong)_length) throw new InvalidModelFileException(Name, $"{what} declares a dimension of {d}, larger than the file ({_length} bytes).");
            count *= (long)d;
            if (count > _length * 8L || count > int.MaxValue)
                throw new InvalidModelFileException(Name, $"{what} declares {string.Join("x", space.Dimensions)} elements, more than the file ({_length} bytes) can hold.");
        }
        return count;
    }

    private void CheckFits(long bytes, string what)
    {
        if (bytes > _length) throw new InvalidModelFileException(Name, $"{what} declares {bytes} bytes but the file has only {_length}: truncated or corrupt.");
    }

    /// <inheritdoc/>
    public void Dispose() => _file.Dispose();
}

#nullable enable
using System.Text;
using PureHDF;

namespace KerasNet.Saving;

/// <summary>
/// Helpers to lay out a PureHDF write tree the way Keras does: datasets at '/'-separated paths (a weight name such
/// as <c>conv2d/kernel:0</c> creates nested groups), string-list attributes split like Keras's
/// <c>save_attributes_to_hdf5_group</c>, and the empty float64 array Keras writes for "no weights".
/// </summary>
internal static class H5Tree
{
    /// <summary>Keras's HDF5_OBJECT_HEADER_LIMIT: larger string-list attributes are split into name0, name1, ...</summary>
    public const int HeaderLimit = 64512;

    /// <summary>Puts a value (dataset or group) at a path below <paramref name="root"/>, creating groups on the way.</summary>
    public static void Put(H5Group root, string path, object value)
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0) throw new KerasNetException($"Cannot write an HDF5 object with the empty name '{path}'.");
        var g = root;
        foreach (var p in parts[..^1]) g = Child(g, p);
        if (g.ContainsKey(parts[^1])) throw new KerasNetException($"Cannot write two HDF5 objects named '{path}'.");
        g[parts[^1]] = value;
    }

    /// <summary>The subgroup of a name, created if missing.</summary>
    public static H5Group Child(H5Group g, string name)
    {
        if (g.TryGetValue(name, out var o))
            return o as H5Group ?? throw new KerasNetException($"Cannot create HDF5 group '{name}': a dataset has that name.");
        var sub = new H5Group();
        g[name] = sub;
        return sub;
    }

    /// <summary>A float32 dataset of a Keras-layout shape (a scalar when the shape is empty).</summary>
    public static object Floats(float[] data, int[] shape) =>
        shape.Length == 0 ? data[0] : new H5Dataset(data, fileDims: shape.Select(d => (ulong)d).ToArray());

    /// <summary>Sets a list-of-strings attribute, or Keras's empty float64 array when the list is empty.</summary>
    public static void SetStringList(IDictionary<string, object> attrs, string name, IReadOnlyList<string> values)
    {
        if (values.Count == 0)
        {
            attrs[name] = new H5Attribute(Array.Empty<double>(), dimensions: [0]);
            return;
        }
        // Keras measures the numpy 'S' array it would write: count x longest name.
        int longest = values.Max(v => Encoding.UTF8.GetByteCount(v));
        int chunks = 1;
        while (ChunkSizes(values.Count, chunks).Max() * (long)longest > HeaderLimit && chunks < values.Count) chunks++;
        if (chunks == 1)
        {
            attrs[name] = values.ToArray();
            return;
        }
        int start = 0, i = 0;
        foreach (int size in ChunkSizes(values.Count, chunks))
        {
            attrs[name + i++] = values.Skip(start).Take(size).ToArray();
            start += size;
        }
    }

    // numpy.array_split: the first (n % k) parts get one extra element.
    private static IEnumerable<int> ChunkSizes(int n, int k) => Enumerable.Range(0, k).Select(i => n / k + (i < n % k ? 1 : 0));
}

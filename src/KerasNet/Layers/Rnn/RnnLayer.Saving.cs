#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Saving;

namespace KerasNet.Layers;

// Weights in other Keras layouts, and Keras 3's nested store.
public abstract partial class RnnLayer : IConvertsStoredWeights, IKeras3Store, IKeras3Config, IWeightObjects
{
    bool IWeightObjects.IsWeightObjectField(string field) => field.EndsWith("_initializer", StringComparison.Ordinal)
        || field.EndsWith("_regularizer", StringComparison.Ordinal) || field.EndsWith("_constraint", StringComparison.Ordinal);

    KerasObject? IWeightObjects.WeightObject(string field) => field switch
    {
        "kernel_initializer" => KernelInitializer,
        "recurrent_initializer" => RecurrentInitializer,
        "bias_initializer" => BiasInitializer,
        _ => Penalties().FirstOrDefault(p => p.Field == field).Value,
    };

    /// <summary>
    /// Keras 3's RNN config: no time_major (Keras 3 refuses the argument), zero_output_for_mask after unroll, seed at
    /// the end, as Keras 3's get_config writes them.
    /// </summary>
    void IKeras3Config.ToKeras3(JsonObject config)
    {
        var fields = config.ToList();
        config.Clear();
        foreach (var (key, value) in fields)
        {
            if (key is "time_major" or "zero_output_for_mask" or "seed") continue;
            config[key] = value;
            if (key == "unroll") config["zero_output_for_mask"] = ZeroOutputForMask;
        }
        config["seed"] = Seed;
    }

    /// <summary>The cell's name (tf.keras 2.x's weights are named <c>lstm/lstm_cell/kernel:0</c>).</summary>
    internal string CellName => _cellName;

    IReadOnlyList<(string Path, string Name, IReadOnlyList<Variable> Vars)> IKeras3Store.Keras3Stores =>
        [("vars", Name, []), ("cell/vars", _cellName, Weights)];

    /// <summary>
    /// Keras's <c>preprocess_weights_for_loading</c> for recurrent layers: Keras 1's one kernel, recurrent kernel and
    /// bias per gate (LSTM in Keras 1's gate order i, c, f, o) concatenated into Keras 2's three arrays, then
    /// <c>_convert_rnn_weights</c>: CuDNN weights, recognised by their bias (CuDNNLSTM 8 units, CuDNNGRU 6 units),
    /// get each gate's input kernel re-laid out (CuDNN stores it transposed, in Fortran order), each gate's recurrent
    /// kernel transposed, and the bias summed (LSTM) or reshaped to (2, 3 units) (GRU, reset_after only).
    /// </summary>
    List<StoredArray> IConvertsStoredWeights.ConvertStored(List<StoredArray> arrays, WeightAssign.Origin origin, string source)
    {
        if (origin.IsKeras1)
        {
            int[]? order = Cell switch
            {
                RnnCell.Lstm when arrays.Count == 12 => [0, 6, 3, 9], // i, c, f, o -> i, f, c, o
                RnnCell.GruResetAfter or RnnCell.GruResetBefore when arrays.Count == 9 => [0, 3, 6],
                _ => null,
            };
            if (order != null)
                arrays = [Concat(order.Select(i => arrays[i]).ToList()), Concat(order.Select(i => arrays[i + 1]).ToList()),
                    Concat(order.Select(i => arrays[i + 2]).ToList())];
        }
        if (arrays.Count != 3 || arrays[1].Shape.Length != 2 || Cell == RnnCell.Simple) return arrays;
        int units = arrays[1].Shape[0], gates = Gates;
        var bias = arrays[2];
        bool cudnn = bias.Shape.Length == 1 && bias.Shape[0] == 2 * gates * units;
        if (!cudnn)
        {
            if (Cell == RnnCell.GruResetBefore && bias.Shape.Length == 2)
                throw new ShapeMismatchException($"{source}: layer '{Name}' (GRU, reset_after=False) cannot load GRU(reset_after=True) weights (bias {Engine.ShapeUtil.Format(bias.Shape)}).");
            return arrays;
        }
        if (Cell == RnnCell.GruResetBefore)
            throw new ShapeMismatchException($"{source}: layer '{Name}' (GRU, reset_after=False) cannot load CuDNNGRU weights: CuDNNGRU is GRU(reset_after=True).");
        var kernel = PerGate(arrays[0], gates, CuDnnInputKernel);
        var recurrent = PerGate(arrays[1], gates, Transpose);
        int n = gates * units;
        var b = Cell == RnnCell.Lstm
            ? bias with { Data = Enumerable.Range(0, n).Select(i => bias.Data[i] + bias.Data[n + i]).ToArray(), Shape = [n] }
            : bias with { Shape = [2, n] };
        return [kernel, recurrent, b];
    }

    /// <summary>numpy's concatenate along the last axis of same-shaped 1-D or 2-D arrays.</summary>
    private static StoredArray Concat(List<StoredArray> parts)
    {
        var first = parts[0];
        int rows = first.Shape.Length == 2 ? first.Shape[0] : 1;
        int cols = parts.Sum(p => p.Shape[^1]);
        var data = new float[rows * cols];
        int offset = 0;
        foreach (var p in parts)
        {
            int w = p.Shape[^1];
            for (int r = 0; r < rows; r++) Array.Copy(p.Data, r * w, data, r * cols + offset, w);
            offset += w;
        }
        return new StoredArray(first.Name, data, first.Shape.Length == 2 ? [rows, cols] : [cols]);
    }

    /// <summary>numpy's hstack of f applied to each of hsplit(a, gates).</summary>
    private static StoredArray PerGate(StoredArray a, int gates, Func<float[], int, int, float[]> f)
    {
        int rows = a.Shape[0], cols = a.Shape[1], w = cols / gates;
        var result = new float[a.Data.Length];
        var block = new float[rows * w];
        for (int g = 0; g < gates; g++)
        {
            for (int r = 0; r < rows; r++) Array.Copy(a.Data, r * cols + g * w, block, r * w, w);
            var converted = f(block, rows, w);
            for (int r = 0; r < rows; r++) Array.Copy(converted, r * w, result, r * cols + g * w, w);
        }
        return a with { Data = result };
    }

    private static float[] Transpose(float[] k, int rows, int cols)
    {
        var t = new float[k.Length];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) t[c * rows + r] = k[r * cols + c];
        return t;
    }

    /// <summary>
    /// Keras's <c>k.T.reshape(k.shape, order='F')</c> for a CuDNN gate block of shape (rows, cols): CuDNN's memory
    /// holds the (cols, rows) matrix row by row, so the Keras block is that matrix transposed.
    /// </summary>
    private static float[] CuDnnInputKernel(float[] k, int rows, int cols)
    {
        var t = new float[k.Length];
        for (int p = 0; p < rows; p++)
            for (int q = 0; q < cols; q++) t[p * cols + q] = k[q * rows + p];
        return t;
    }
}

#nullable enable
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Saving;

namespace KerasNet.Layers;

/// <summary>
/// Turns integer ids into dense vectors: output[..., :] = embeddings[id, :], the table (input_dim, output_dim) as
/// Keras stores it (weight "embeddings"). Ids come as float tensors (KerasNet's only dtype) and must be whole numbers
/// in [0, input_dim): anything else is a <see cref="KerasNetException"/> naming the layer, the position and the
/// range, as TensorFlow's CPU gather refuses an out-of-range id. The gradient reaches the table only, as the
/// scatter-add of the output gradient into the looked-up rows (the ids have no gradient). With
/// <see cref="MaskZero"/> the output carries the mask <c>id != 0</c> (tf.keras 2.4's compute_mask), so later
/// layers that support masking skip the padded timesteps.
/// </summary>
[KerasLayer("Embedding")]
public sealed class Embedding : Layer, ITrainingRefusal, IWeightObjects
{
    /// <summary>The ids of one call, as ints, for the backward pass.</summary>
    private sealed class Saved
    {
        public int[] Ids = [];
        public int Count;
    }

    /// <summary>Creates the layer with tf.keras 2.4's defaults (uniform(-0.05, 0.05) table, no mask).</summary>
    /// <param name="inputDim">Size of the vocabulary: ids lie in [0, inputDim).</param>
    /// <param name="outputDim">Length of each vector.</param>
    /// <param name="embeddingsInitializer">The table's initializer; null is Keras's "uniform" (RandomUniform(-0.05,
    /// 0.05)). A Keras name (<c>"glorot_uniform"</c>, <c>"he_normal"</c>, <c>"orthogonal"</c>, <c>"zeros"</c>, ...: see
    /// <see cref="KerasNet.Layers.Initializer.Get(string)"/>) or an initializer object; null is Keras's default
    /// <c>"uniform"</c>.</param>
    /// <param name="embeddingsRegularizer">Kept in the config; training refuses it until KerasNet applies regularizers.
    /// A Keras name (<c>"l1"</c>, <c>"l2"</c>, <c>"l1_l2"</c>: see <see
    /// cref="KerasNet.Layers.Regularizer.Get(string)"/>) or a regularizer object; null (Keras's default) for
    /// none.</param>
    /// <param name="activityRegularizer">Kept in the config; training refuses it. A Keras name (<c>"l1"</c>,
    /// <c>"l2"</c>, <c>"l1_l2"</c>: see <see cref="KerasNet.Layers.Regularizer.Get(string)"/>) or a regularizer object;
    /// null (Keras's default) for none.</param>
    /// <param name="embeddingsConstraint">Kept in the config; training refuses it. A Keras name (<c>"max_norm"</c>,
    /// <c>"non_neg"</c>, <c>"unit_norm"</c>, <c>"min_max_norm"</c>: see <see
    /// cref="KerasNet.Layers.Constraint.Get(string)"/>) or a constraint object; null (Keras's default) for
    /// none.</param>
    /// <param name="maskZero">Whether id 0 is padding: the output is then masked where the id is 0.</param>
    /// <param name="inputLength">The fixed length of the id sequences (one value, or one per input axis); it also
    /// sets the input shape when <paramref name="inputShape"/> is not given, as Keras does.</param>
    /// <param name="inputShape">Keras's <c>input_shape</c>.</param>
    /// <param name="name">The layer name; null picks Keras's automatic name (<c>embedding</c>, <c>embedding_1</c>, ...).</param>
    /// <param name="trainable">Whether the table is trained.</param>
    public Embedding(int inputDim, int outputDim, Initializer? embeddingsInitializer = null,
        Regularizer? embeddingsRegularizer = null, Regularizer? activityRegularizer = null, Constraint? embeddingsConstraint = null,
        bool maskZero = false, Shape? inputLength = null, Shape? inputShape = null, string? name = null, bool trainable = true)
        : base(name, inputShape ?? inputLength, trainable)
    {
        if (inputDim <= 0 || outputDim <= 0)
            throw new KerasNetException($"Layer '{Name}' (Embedding): both input_dim and output_dim should be positive, found input_dim {inputDim} and output_dim {outputDim}.");
        if (inputLength is { } len && (len.Dims.Length == 0 || len.Dims.Any(d => d <= 0)))
            throw new KerasNetException($"Layer '{Name}' (Embedding): input_length must be positive, got {ShapeUtil.FormatWithNone(len.Dims)}.");
        InputDim = inputDim;
        OutputDim = outputDim;
        EmbeddingsInitializer = embeddingsInitializer ?? new RandomUniform();
        EmbeddingsRegularizer = embeddingsRegularizer;
        ActivityRegularizer = activityRegularizer;
        EmbeddingsConstraint = embeddingsConstraint;
        MaskZero = maskZero;
        InputLength = inputLength?.Dims.ToArray();
    }

    /// <summary>
    /// The layer of a Keras config: tf.keras 2.x/Keras 3 (<c>embeddings_initializer</c>, ...) and Keras 1
    /// (<c>init</c>, <c>W_regularizer</c>, <c>W_constraint</c>, <c>dropout</c>).
    /// </summary>
    internal static Embedding FromConfig(LayerConfigReader c)
    {
        var e = new Embedding(c.Int("input_dim"), c.Int("output_dim"),
            c.Initializer("uniform", "embeddings_initializer", "init"),
            c.Regularizer("embeddings_regularizer", "W_regularizer"), c.Regularizer("activity_regularizer"),
            c.Constraint("embeddings_constraint", "W_constraint"), c.Bool(false, "mask_zero"),
            InputLengthOf(c), name: c.Name, trainable: c.Bool(true, "trainable"))
        {
            Keras1Dropout = c.Double(0, "dropout"),
        };
        return e;
    }

    private static Shape? InputLengthOf(LayerConfigReader c) => c.Config["input_length"] switch
    {
        null => (Shape?)null,
        JsonArray a when a.Any(d => d is null) => (Shape?)null, // (None, 5): unknown lengths; the input shape decides
        JsonArray a => new Shape(a.Select(d => d!.GetValueKind() == JsonValueKind.Number ? d.GetValue<int>() : throw c.Error($"field 'input_length' should hold integers, got {a.ToJsonString()}.")).ToArray()),
        _ => new Shape(c.Int("input_length")),
    };

    /// <summary>Keras's <c>input_dim</c>: the vocabulary size.</summary>
    public int InputDim { get; }

    /// <summary>Keras's <c>output_dim</c>: the vector length.</summary>
    public int OutputDim { get; }

    /// <summary>The table's initializer.</summary>
    public Initializer EmbeddingsInitializer { get; }

    /// <summary>Keras's <c>embeddings_regularizer</c>: kept in the config; training refuses it (set null to train without it).</summary>
    public Regularizer? EmbeddingsRegularizer { get; set; }

    /// <summary>Keras's <c>activity_regularizer</c>: kept in the config; training refuses it.</summary>
    public Regularizer? ActivityRegularizer { get; set; }

    /// <summary>Keras's <c>embeddings_constraint</c>: kept in the config; training refuses it.</summary>
    public Constraint? EmbeddingsConstraint { get; set; }

    /// <summary>Whether id 0 is masked (Keras's <c>mask_zero</c>).</summary>
    public bool MaskZero { get; }

    /// <summary>Keras's <c>input_length</c> (null when not given).</summary>
    public int[]? InputLength { get; }

    /// <summary>
    /// Keras 1's <c>dropout</c>: the fraction of table rows dropped in training. Inference does not use it; training
    /// refuses a non-zero value (set it to 0 to train without it).
    /// </summary>
    public double Keras1Dropout { get; set; }

    /// <summary>The table, after <see cref="Build(int[])"/>.</summary>
    public Variable? Embeddings { get; private set; }

    /// <summary>With <see cref="MaskZero"/>, the layer makes the mask (tf.keras 2.4 sets supports_masking = mask_zero).</summary>
    public override bool SupportsMasking => MaskZero;

    internal override bool MayCreateMask => MaskZero;

    /// <inheritdoc/>
    public override void Build(int[] inputShape)
    {
        CheckLength(inputShape);
        Embeddings = AddWeight("embeddings", [InputDim, OutputDim], EmbeddingsInitializer);
        base.Build(inputShape);
    }

    /// <inheritdoc/>
    public override int[] ComputeOutputShape(int[] inputShape)
    {
        CheckLength(inputShape);
        return [.. inputShape, OutputDim];
    }

    private void CheckLength(int[] inputShape)
    {
        if (InputLength is null || InputLength.SequenceEqual(inputShape)) return;
        throw new ShapeMismatchException(
            $"Layer '{Name}' (Embedding): \"input_length\" is {ShapeUtil.FormatWithNone(InputLength)}, but received input has shape {ShapeUtil.FormatWithNone(inputShape)}.");
    }

    /// <inheritdoc/>
    protected internal override Tensor Forward(CallContext ctx, Tensor inputs)
    {
        CheckInput(inputs);
        var saved = ctx.StateOf<Saved>();
        int n = inputs.Length;
        if (saved.Ids.Length < n) saved.Ids = new int[n];
        var ids = saved.Ids;
        var x = inputs.Span;
        for (int i = 0; i < n; i++)
        {
            float v = x[i];
            int id = (int)v;
            if (id != v || id < 0 || id >= InputDim) throw BadId(inputs, i, v);
            ids[i] = id;
        }
        saved.Count = n;
        var output = ctx.Scratch(CallContext.OutputSlot, inputs.BatchSize, OutputShape!);
        Backend.Current.EmbeddingLookup(ids, n, Embeddings!.Value.Buffer, InputDim, OutputDim, output.Buffer);
        return output;
    }

    // TensorFlow's CPU GatherV2 message: "indices[0,3] = 12 is not in [0, 10)".
    private KerasNetException BadId(Tensor inputs, int flat, float value)
    {
        var at = new StringBuilder();
        int rest = flat;
        var shape = inputs.Shape;
        var index = new int[shape.Length];
        for (int d = shape.Length - 1; d >= 0; d--) { index[d] = rest % shape[d]; rest /= shape[d]; }
        at.Append(string.Join(",", index));
        string v = value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        return float.IsFinite(value) && value == MathF.Floor(value)
            ? new KerasNetException($"Layer '{Name}' (Embedding): indices[{at}] = {v} is not in [0, {InputDim}) (input_dim {InputDim}).")
            : new KerasNetException($"Layer '{Name}' (Embedding): indices[{at}] = {v} is not a whole number; ids must be integers in [0, {InputDim}).");
    }

    /// <inheritdoc/>
    protected internal override Tensor? Backward(CallContext ctx, Tensor gradOutput, bool needInputGrad, GradientSink sink)
    {
        var e = Embeddings!;
        if (!sink.Wants(e)) return null;
        var saved = (Saved)ctx.State!;
        Backend.Current.EmbeddingGradient(saved.Ids, saved.Count, gradOutput.Buffer, InputDim, OutputDim, sink.GradientFor(e));
        sink.Commit(e);
        sink.MarkRows(e, saved.Ids.AsSpan(0, saved.Count), OutputDim);
        return null; // ids have no gradient (Keras casts them to int)
    }

    /// <summary>tf.keras 2.4's compute_mask: <c>not_equal(inputs, 0)</c> with mask_zero, else none.</summary>
    internal override Tensor? ComputeMask(CallContext ctx, Tensor? inputMask)
    {
        if (!MaskZero) return null;
        var input = ctx.Inputs[0];
        var mask = ctx.MaskScratch(0, input.Shape);
        var x = input.Span;
        var m = mask.Span;
        for (int i = 0; i < x.Length; i++) m[i] = x[i] != 0 ? 1f : 0f;
        return mask;
    }

    /// <summary>Why training would differ from Keras: a regularizer, a constraint or Keras 1's dropout, which KerasNet does not apply yet.</summary>
    /// <returns>The reason, or null when the layer trains as in Keras.</returns>
    public string? TrainingRefusal()
    {
        foreach (var (field, property, obj) in new (string, string, KerasObject?)[]
        {
            ("embeddings_regularizer", nameof(EmbeddingsRegularizer), EmbeddingsRegularizer),
            ("activity_regularizer", nameof(ActivityRegularizer), ActivityRegularizer),
            ("embeddings_constraint", nameof(EmbeddingsConstraint), EmbeddingsConstraint),
        })
        {
            if (obj is null || obj is Regularizer { IsZero: true }) continue;
            return $"Layer '{Name}' has {field} {obj.ClassName}, which KerasNet does not apply in training yet; " +
                $"set the layer's {property} to null to train without it (inference is not affected).";
        }
        if (Keras1Dropout > 0)
            return $"Layer '{Name}' has Keras 1's dropout {Keras1Dropout} (rows of the table dropped in training), which KerasNet does not apply; " +
                $"set the layer's {nameof(Keras1Dropout)} to 0 to train without it (inference is not affected).";
        return null;
    }

    bool IWeightObjects.IsWeightObjectField(string field) =>
        field is "embeddings_initializer" or "embeddings_regularizer" or "activity_regularizer" or "embeddings_constraint";

    KerasObject? IWeightObjects.WeightObject(string field) => field switch
    {
        "embeddings_initializer" => EmbeddingsInitializer,
        "embeddings_regularizer" => EmbeddingsRegularizer,
        "activity_regularizer" => ActivityRegularizer,
        "embeddings_constraint" => EmbeddingsConstraint,
        _ => throw new ArgumentOutOfRangeException(nameof(field), field, "not a weight field"),
    };

    /// <summary>tf.keras 2.4's config; <c>batch_input_shape</c> is always there, [null, null] when the length is unknown.</summary>
    /// <returns>The config as a JSON object, Keras's field names to values (what <c>get_config()</c> returns, as saved
    /// in a model file).</returns>
    public override JsonObject GetConfig()
    {
        var c = new JsonObject
        {
            ["name"] = Name,
            ["trainable"] = Trainable,
            ["batch_input_shape"] = InputShapeArgument != null ? BatchShapeJson(InputShapeArgument) : new JsonArray { (JsonNode?)null, null },
            ["dtype"] = "float32",
            ["input_dim"] = InputDim,
            ["output_dim"] = OutputDim,
            ["embeddings_initializer"] = LayerConfig.Keras2Json(EmbeddingsInitializer),
            ["embeddings_regularizer"] = LayerConfig.Keras2Json(EmbeddingsRegularizer),
            ["activity_regularizer"] = LayerConfig.Keras2Json(ActivityRegularizer),
            ["embeddings_constraint"] = LayerConfig.Keras2Json(EmbeddingsConstraint),
            ["mask_zero"] = MaskZero,
            ["input_length"] = InputLength switch { null => null, [int one] => one, var many => IntArray(many) },
        };
        return c;
    }
}

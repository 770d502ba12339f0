#nullable enable
namespace KerasNet;

public sealed partial class KerasLimits
{
    /// <summary>The default <see cref="MaxModelBytes"/>: 2 GiB.</summary>
    public const long DefaultMaxModelBytes = 2L << 30;

    /// <summary>The default <see cref="MaxRetainedInferenceBytes"/>: 128 MiB.</summary>
    public const long DefaultMaxRetainedInferenceBytes = 128L << 20;

    private long _maxModelBytes = DefaultMaxModelBytes;
    private long _maxRetainedInferenceBytes = DefaultMaxRetainedInferenceBytes;

    /// <summary>
    /// The memory budget of a model created from a config (<see cref="Keras.ModelFromJson"/>, <see cref="Keras.LoadModel"/>
    /// of a <c>.h5</c>/<c>.hdf5</c>/<c>.keras</c> file): the bytes of its weights with their gradient buffers (8 per
    /// weight) plus the outputs of every layer for one sample (float32, the input layers and the last layer included;
    /// nested models counted layer by layer). Weights are charged as each is created, before it is allocated; the
    /// activations once the model's layers exist, before its weights are read from the file or any activation is allocated; a
    /// model beyond it is refused with a <see cref="ModelConfigException"/> naming the layer that crosses it, its output
    /// shape and bytes. Raise it for a trusted model that needs more:
    /// <c>KerasContext.Current.Limits.MaxModelBytes = 8L &lt;&lt; 30;</c> (the console app: <c>--max-model-memory 8G</c>).
    /// Models built in code are not checked.
    /// </summary>
    public long MaxModelBytes { get => _maxModelBytes; set => _maxModelBytes = Positive(value); }

    /// <summary>
    /// How much an inference call may leave behind for the next one. A model keeps its evaluation buffers (every layer's
    /// output, a convolution's unfolded input) from call to call, sized by the largest batch they served; after a
    /// <c>Predict</c>, <c>PredictOnBatch</c>, <c>PredictInto</c> or <c>Evaluate</c> whose batch's layer outputs exceed
    /// this many bytes, the buffers holding more are released (and that thread's engine scratch beyond it), so one call
    /// at batch 1024 does not pin gigabytes for the life of the model. Below it nothing changes: the buffers are reused
    /// and the steady state allocates nothing. What stays is at most this much of layer outputs per pooled evaluation,
    /// plus the scratch that scales with them (for the tutorial network about twice as much again). Calls at batches
    /// beyond it allocate their buffers each time; raise it to keep them.
    /// </summary>
    public long MaxRetainedInferenceBytes { get => _maxRetainedInferenceBytes; set => _maxRetainedInferenceBytes = Positive(value); }
}

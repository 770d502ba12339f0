#nullable enable
using KerasNet.Callbacks;
using KerasNet.Data;
using KerasNet.Engine;
using NumSharp;

namespace KerasNet.Models;

public partial class Model
{
    /// <summary>
    /// Trains on in-memory arrays, as Keras's <c>fit(x, y, batch_size, epochs, verbose, callbacks, validation_split,
    /// validation_data, shuffle, initial_epoch, steps_per_epoch, validation_steps, validation_batch_size, validation_freq)</c>.
    /// </summary>
    /// <param name="x">The inputs, samples first.</param>
    /// <param name="y">The targets, samples first.</param>
    /// <param name="batchSize">Samples per step; default 32, or ceil(samples / stepsPerEpoch) when only stepsPerEpoch is given (as tf.keras 2.4).</param>
    /// <param name="epochs">The index of the last epoch: epochs <paramref name="initialEpoch"/> .. epochs - 1 run.</param>
    /// <param name="verbose">0: silent; 1: a progress bar; 2: one line per epoch (<c>N/N - 0s - loss: ...</c>, as tf.keras 2.4).</param>
    /// <param name="callbacks">Called in order, before the History.</param>
    /// <param name="validationSplit">The last fraction of the samples (taken before any shuffling) held out for validation; in [0, 1).</param>
    /// <param name="validationData">(x_val, y_val) arrays (the overloads with a required <c>IDataSequence validationData</c>
    /// take a batch source); not together with <paramref name="validationSplit"/> (Keras versions disagree on which wins).</param>
    /// <param name="shuffle"><c>true</c> (default): a new order of the samples every epoch; <c>false</c>; or <c>"batch"</c> (see <see cref="ShuffleMode"/>).</param>
    /// <param name="initialEpoch">The epoch to resume at.</param>
    /// <param name="stepsPerEpoch">Steps per epoch (default: one pass). Each epoch starts a new pass; more steps than one pass go on into a
    /// freshly shuffled pass, up to epochs - initialEpoch passes in all (beyond that Keras's warning, and training stops).</param>
    /// <param name="validationSteps">Validation batches per validation (default: all).</param>
    /// <param name="validationBatchSize">Validation batch size for arrays (default: <paramref name="batchSize"/>).</param>
    /// <param name="validationFreq">Validate after every n-th epoch (int) or after the listed 1-based epochs (int[]); default 1.</param>
    /// <param name="classWeight">Keras's class_weight: a weight per class index 0..C-1 multiplying each sample's loss (one output only).</param>
    /// <param name="sampleWeight">Keras's sample_weight: one weight per sample, or per sample and timestep (samples, timesteps)
    /// for sequence outputs; it weighs every output's loss and is split with the samples by <paramref name="validationSplit"/>.</param>
    /// <param name="validationSampleWeight">Weighs <paramref name="validationData"/> (Keras's third element of validation_data).</param>
    /// <returns>The <see cref="KerasNet.Callbacks.History"/> of the run: each epoch's loss, metrics and validation values.</returns>
    public History Fit(NDArray x, NDArray y, int? batchSize = null, int epochs = 1, int verbose = 1,
        IEnumerable<Callback>? callbacks = null, double validationSplit = 0, (NDArray x, NDArray y)? validationData = null,
        ShuffleMode? shuffle = null, int initialEpoch = 0, int? stepsPerEpoch = null, int? validationSteps = null,
        int? validationBatchSize = null, ValidationFreq? validationFreq = null, IDictionary<int, double>? classWeight = null,
        NDArray? sampleWeight = null, NDArray? validationSampleWeight = null) =>
        Fit([NDArrays.ToTensor(x)], [NDArrays.ToTensor(y)], batchSize, epochs, verbose, callbacks, validationSplit,
            validationData is { } v ? ([NDArrays.ToTensor(v.x)], [NDArrays.ToTensor(v.y)]) : null, shuffle, initialEpoch,
            stepsPerEpoch, validationSteps, validationBatchSize, validationFreq, classWeight, OptionalTensor(sampleWeight),
            OptionalTensor(validationSampleWeight));

    /// <summary>Trains a model with several inputs or outputs on arrays in <see cref="Inputs"/>/<see cref="Outputs"/> order (arguments as the single-array Fit).</summary>
    /// <include file="../Docs/Params.xml" path="params/param[@name='x']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='y']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='batchSize']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='epochs']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='verbose']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='callbacks']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='validationSplit']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='validationData']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='shuffle']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='initialEpoch']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='stepsPerEpoch']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='validationSteps']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='validationBatchSize']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='validationFreq']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='classWeight']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='sampleWeight']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='validationSampleWeight']"/>
    /// <returns>The <see cref="KerasNet.Callbacks.History"/> of the run: each epoch's loss, metrics and validation values.</returns>
    public History Fit(IReadOnlyList<NDArray> x, IReadOnlyList<NDArray> y, int? batchSize = null, int epochs = 1, int verbose = 1,
        IEnumerable<Callback>? callbacks = null, double validationSplit = 0,
        (IReadOnlyList<NDArray> x, IReadOnlyList<NDArray> y)? validationData = null,
        ShuffleMode? shuffle = null, int initialEpoch = 0, int? stepsPerEpoch = null, int? validationSteps = null,
        int? validationBatchSize = null, ValidationFreq? validationFreq = null, IDictionary<int, double>? classWeight = null,
        NDArray? sampleWeight = null, NDArray? validationSampleWeight = null) =>
        Fit(Tensors(x), Tensors(y), batchSize, epochs, verbose, callbacks, validationSplit,
            validationData is { } v ? (Tensors(v.x), Tensors(v.y)) : null, shuffle, initialEpoch,
            stepsPerEpoch, validationSteps, validationBatchSize, validationFreq, classWeight, OptionalTensor(sampleWeight),
            OptionalTensor(validationSampleWeight));

    /// <summary>Trains on arrays given by input and output name, as Keras's dictionaries (arguments as the single-array Fit).</summary>
    /// <include file="../Docs/Params.xml" path="params/param[@name='x']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='y']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='batchSize']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='epochs']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='verbose']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='callbacks']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='validationSplit']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='shuffle']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='initialEpoch']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='validationData']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='stepsPerEpoch']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='validationSteps']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='validationBatchSize']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='validationFreq']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='classWeight']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='sampleWeight']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='validationSampleWeight']"/>
    /// <returns>The <see cref="KerasNet.Callbacks.History"/> of the run: each epoch's loss, metrics and validation values.</returns>
    public History Fit(IDictionary<string, NDArray> x, IDictionary<string, NDArray> y, int? batchSize = null, int epochs = 1,
        int verbose = 1, IEnumerable<Callback>? callbacks = null, double validationSplit = 0, ShuffleMode? shuffle = null,
        int initialEpoch = 0, (IDictionary<string, NDArray> x, IDictionary<string, NDArray> y)? validationData = null,
        int? stepsPerEpoch = null, int? validationSteps = null, int? validationBatchSize = null, ValidationFreq? validationFreq = null,
        IDictionary<int, double>? classWeight = null, NDArray? sampleWeight = null, NDArray? validationSampleWeight = null) =>
        Fit(ByName(x, InputNames, "input"), ByName(y, OutputNames, "output"), batchSize, epochs, verbose, callbacks,
            validationSplit, validationData is { } v ? (ByName(v.x, InputNames, "input"), ByName(v.y, OutputNames, "output")) : null,
            shuffle, initialEpoch, stepsPerEpoch, validationSteps, validationBatchSize, validationFreq, classWeight, sampleWeight,
            validationSampleWeight);

    /// <summary>Trains on tensors (samples first; arguments as the NDArray Fit).</summary>
    /// <include file="../Docs/Params.xml" path="params/param[@name='x']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='y']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='batchSize']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='epochs']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='verbose']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='callbacks']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='validationSplit']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='validationData']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='shuffle']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='initialEpoch']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='stepsPerEpoch']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='validationSteps']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='validationBatchSize']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='validationFreq']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='classWeight']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='sampleWeight']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='validationSampleWeight']"/>
    /// <returns>The <see cref="KerasNet.Callbacks.History"/> of the run: each epoch's loss, metrics and validation values.</returns>
    public History Fit(Tensor x, Tensor y, int? batchSize = null, int epochs = 1, int verbose = 1,
        IEnumerable<Callback>? callbacks = null, double validationSplit = 0, (Tensor x, Tensor y)? validationData = null,
        ShuffleMode? shuffle = null, int initialEpoch = 0, int? stepsPerEpoch = null, int? validationSteps = null,
        int? validationBatchSize = null, ValidationFreq? validationFreq = null, IDictionary<int, double>? classWeight = null,
        Tensor? sampleWeight = null, Tensor? validationSampleWeight = null) =>
        Fit([x], [y], batchSize, epochs, verbose, callbacks, validationSplit,
            validationData is { } v ? ([v.x], [v.y]) : null, shuffle, initialEpoch,
            stepsPerEpoch, validationSteps, validationBatchSize, validationFreq, classWeight, sampleWeight, validationSampleWeight);

    /// <summary>Trains on tensors of every input and output (samples first; arguments as the NDArray Fit).</summary>
    /// <include file="../Docs/Params.xml" path="params/param[@name='x']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='y']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='batchSize']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='epochs']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='verbose']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='callbacks']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='validationSplit']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='validationData']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='shuffle']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='initialEpoch']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='stepsPerEpoch']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='validationSteps']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='validationBatchSize']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='validationFreq']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='classWeight']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='sampleWeight']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='validationSampleWeight']"/>
    /// <returns>The <see cref="KerasNet.Callbacks.History"/> of the run: each epoch's loss, metrics and validation values.</returns>
    public History Fit(Tensor[] x, Tensor[] y, int? batchSize = null, int epochs = 1, int verbose = 1,
        IEnumerable<Callback>? callbacks = null, double validationSplit = 0, (Tensor[] x, Tensor[] y)? validationData = null,
        ShuffleMode? shuffle = null, int initialEpoch = 0, int? stepsPerEpoch = null, int? validationSteps = null,
        int? validationBatchSize = null, ValidationFreq? validationFreq = null, IDictionary<int, double>? classWeight = null,
        Tensor? sampleWeight = null, Tensor? validationSampleWeight = null)
    {
        if (validationData is { } v && validationSplit > 0)
            throw new KerasNetException("Fit: validation_split and validation_data were both given; tf.keras 2.4 validates on the split and ignores validation_data, Keras 3 the reverse. Pass only one.");
        if (validationSampleWeight != null && validationData is null)
            throw new KerasNetException("validationSampleWeight weighs validationData, but no validationData was given.");
        var plan = new FitPlan(epochs, verbose, callbacks, null, initialEpoch, stepsPerEpoch, validationSteps, validationFreq ?? 1,
            RepeatsData: true, ClassWeight: ClassWeights.From(classWeight));
        return FitArrays(x, y, batchSize, plan, validationSplit, validationData, validationBatchSize, shuffle, sampleWeight, validationSampleWeight);
    }

    /// <summary>Trains on arrays, validating on a batch source (Keras's <c>validation_data=</c> a Sequence or dataset; its own batch size applies).</summary>
    /// <include file="../Docs/Params.xml" path="params/param[@name='x']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='y']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='validationData']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='batchSize']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='epochs']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='verbose']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='callbacks']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='shuffle']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='initialEpoch']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='stepsPerEpoch']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='validationSteps']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='validationFreq']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='classWeight']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='sampleWeight']"/>
    /// <returns>The <see cref="KerasNet.Callbacks.History"/> of the run: each epoch's loss, metrics and validation
    /// values.</returns>
    public History Fit(NDArray x, NDArray y, IDataSequence validationData, int? batchSize = null, int epochs = 1, int verbose = 1,
        IEnumerable<Callback>? callbacks = null, ShuffleMode? shuffle = null, int initialEpoch = 0, int? stepsPerEpoch = null,
        int? validationSteps = null, ValidationFreq? validationFreq = null, IDictionary<int, double>? classWeight = null,
        NDArray? sampleWeight = null) =>
        Fit([NDArrays.ToTensor(x)], [NDArrays.ToTensor(y)], validationData, batchSize, epochs, verbose, callbacks, shuffle,
            initialEpoch, stepsPerEpoch, validationSteps, validationFreq, classWeight, OptionalTensor(sampleWeight));

    /// <summary>Trains on arrays of every input and output, validating on a batch source.</summary>
    /// <include file="../Docs/Params.xml" path="params/param[@name='x']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='y']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='validationData']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='batchSize']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='epochs']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='verbose']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='callbacks']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='shuffle']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='initialEpoch']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='stepsPerEpoch']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='validationSteps']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='validationFreq']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='classWeight']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='sampleWeight']"/>
    /// <returns>The <see cref="KerasNet.Callbacks.History"/> of the run: each epoch's loss, metrics and validation
    /// values.</returns>
    public History Fit(IReadOnlyList<NDArray> x, IReadOnlyList<NDArray> y, IDataSequence validationData, int? batchSize = null,
        int epochs = 1, int verbose = 1, IEnumerable<Callback>? callbacks = null, ShuffleMode? shuffle = null, int initialEpoch = 0,
        int? stepsPerEpoch = null, int? validationSteps = null, ValidationFreq? validationFreq = null,
        IDictionary<int, double>? classWeight = null, NDArray? sampleWeight = null) =>
        Fit(Tensors(x), Tensors(y), validationData, batchSize, epochs, verbose, callbacks, shuffle, initialEpoch, stepsPerEpoch,
            validationSteps, validationFreq, classWeight, OptionalTensor(sampleWeight));

    /// <summary>Trains on tensors of every input and output, validating on a batch source.</summary>
    /// <include file="../Docs/Params.xml" path="params/param[@name='x']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='y']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='validationData']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='batchSize']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='epochs']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='verbose']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='callbacks']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='shuffle']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='initialEpoch']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='stepsPerEpoch']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='validationSteps']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='validationFreq']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='classWeight']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='sampleWeight']"/>
    /// <returns>The <see cref="KerasNet.Callbacks.History"/> of the run: each epoch's loss, metrics and validation
    /// values.</returns>
    public History Fit(Tensor[] x, Tensor[] y, IDataSequence validationData, int? batchSize = null, int epochs = 1, int verbose = 1,
        IEnumerable<Callback>? callbacks = null, ShuffleMode? shuffle = null, int initialEpoch = 0, int? stepsPerEpoch = null,
        int? validationSteps = null, ValidationFreq? validationFreq = null, IDictionary<int, double>? classWeight = null,
        Tensor? sampleWeight = null)
    {
        ArgumentNullException.ThrowIfNull(validationData);
        var plan = new FitPlan(epochs, verbose, callbacks, validationData, initialEpoch, stepsPerEpoch, validationSteps, validationFreq ?? 1,
            RepeatsData: true, ClassWeight: ClassWeights.From(classWeight));
        return FitArrays(x, y, batchSize, plan, 0, null, null, shuffle, sampleWeight, null);
    }

    private static Tensor[] Tensors(IReadOnlyList<NDArray> arrays)
    {
        ArgumentNullException.ThrowIfNull(arrays);
        return arrays.Select(NDArrays.ToTensor).ToArray();
    }

    /// <summary>The array Fit: checks the arrays, holds out validation_split, and trains on their batches.</summary>
    private History FitArrays(Tensor[] x, Tensor[] y, int? batchSize, FitPlan plan, double validationSplit,
        (Tensor[] x, Tensor[] y)? validationArrays, int? validationBatchSize, ShuffleMode? shuffle, Tensor? sampleWeight, Tensor? validationSampleWeight)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (!(validationSplit >= 0 && validationSplit < 1)) throw new KerasNetException($"validation_split must be in [0, 1), got {validationSplit}.");
        if (x.Length == 0 || y.Length == 0) throw new KerasNetException("Fit needs at least one input array and one target array.");
        if (plan.StepsPerEpoch is <= 0) throw new KerasNetException($"steps_per_epoch must be positive, got {plan.StepsPerEpoch}.");
        if (validationBatchSize is <= 0) throw new KerasNetException($"validation_batch_size must be positive, got {validationBatchSize}.");
        int samples = x[0].BatchSize;
        foreach (var t in x.Concat(y))
            if (t.BatchSize != samples) throw new ShapeMismatchException($"x has {samples} samples but an array has {t.BatchSize}.");
        if (sampleWeight != null && sampleWeight.BatchSize != samples)
            throw new ShapeMismatchException($"sample_weight has {sampleWeight.BatchSize} samples but x has {samples}.");
        // tf.keras 2.4: validation_batch_size or batch_size as given (None: ceil(samples / validation_steps), else 32).
        int ValBatch(int valSamples) => ArrayBatchSize(validationBatchSize ?? batchSize, plan.ValidationSteps, valSamples);
        if (validationArrays is { } v)
        {
            if (v.x.Length == 0) throw new KerasNetException("validation_data needs at least one input array.");
            plan = plan with { Validation = new ArraySequence(v.x, v.y, ValBatch(v.x[0].BatchSize), sampleWeight: validationSampleWeight) };
        }
        else if (validationSplit > 0)
        {
            // Keras (train_validation_split) takes the last fraction of the arrays (the sample weights too), before any shuffling.
            int split = (int)Math.Floor(samples * (1 - validationSplit));
            if (split == 0 || split == samples)
                throw new KerasNetException($"Training data contains {samples} samples, which is not sufficient to split it into a validation and training set as specified by `validation_split={validationSplit}`. Either provide more data, or a different value for the `validation_split` argument.");
            plan = plan with { Validation = new ArraySequence(x.Select(t => Slice(t, split, samples)).ToArray(), y.Select(t => Slice(t, split, samples)).ToArray(),
                ValBatch(samples - split), sampleWeight: sampleWeight is null ? null : Slice(sampleWeight, split, samples)) };
            x = x.Select(t => Slice(t, 0, split)).ToArray();
            y = y.Select(t => Slice(t, 0, split)).ToArray();
            if (sampleWeight != null) sampleWeight = Slice(sampleWeight, 0, split);
        }
        var mode = shuffle ?? ShuffleMode.Samples;
        int batch = ArrayBatchSize(batchSize, plan.StepsPerEpoch, x[0].BatchSize); // of the training rows, after the split (as Keras)
        return Fit(new ArraySequence(x, y, batch, mode.Shuffles, mode.BatchWise, seed: null, sampleWeight), plan);
    }

    private static Tensor Slice(Tensor t, int start, int end)
    {
        var shape = (int[])t.Shape.Clone();
        shape[0] = end - start;
        var r = new Tensor(shape);
        t.Buffer.AsSpan(start * t.SampleSize, r.Length).CopyTo(r.Span);
        return r;
    }
}

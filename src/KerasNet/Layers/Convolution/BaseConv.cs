#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Engine;

namespace KerasNet.Layers;

/// <summary>
/// What Conv1D and Conv2D share (Keras 3's BaseConv): <see cref="Filters"/> outputs from a
/// (kernel..., channels / groups, filters) kernel, input channels and filters split into <see cref="Groups"/>.
/// </summary>
public abstract class BaseConv : SpatialConv
{
    private protected BaseConv(ConvArgs args, int filters, int groups, string? activation, bool useBias,
        Initializer? kernelInitializer, Initializer? biasInitializer, Shape? inputShape, string? name, bool trainable, WeightOptions options)
        : base(args, activation, useBias, kernelInitializer, biasInitializer, inputShape, name, trainable, options)
    {
        if (filters <= 0) throw new KerasNetException($"{ClassName}: filters must be positive, got {filters}.");
        if (groups <= 0) throw new KerasNetException($"{ClassName}: groups must be a positive integer, got {groups}.");
        if (filters % groups != 0)
            throw new KerasNetException($"{ClassName}: the number of filters must be evenly divisible by the number of groups; got groups={groups}, filters={filters}.");
        Filters = filters;
        Groups = groups;
    }

    /// <summary>Number of output channels.</summary>
    public int Filters { get; }

    /// <summary>Channel groups: input channels and filters split in this many parts, each convolved on its own.</summary>
    public int Groups { get; }

    private protected override int OutputChannels(int channels) => Filters;

    private protected override int GroupCount(int channels) => Groups;

    /// <inheritdoc/>
    public override void Build(int[] inputShape)
    {
        var (_, _, c) = Dims(inputShape);
        if (c % Groups != 0)
            throw new KerasNetException($"Layer '{Name}' ({ClassName}): the number of input channels must be evenly divisible by the number of groups; got groups={Groups}, but the input has {c} channels (input shape {ShapeUtil.FormatWithNone(inputShape)}).");
        var k = Args.Kernel;
        AddKernelAndBias(Args.Rank == 1 ? [k.Width, c / Groups, Filters] : [k.Height, k.Width, c / Groups, Filters]);
        base.Build(inputShape);
    }

    /// <summary>
    /// tf.keras 2.4's Conv config: filters, kernel_size, strides, padding, data_format, dilation_rate, groups,
    /// activation, use_bias, then the initializers, regularizers and constraints.
    /// </summary>
    /// <returns>The config as a JSON object, Keras's field names to values (what <c>get_config()</c> returns, as saved
    /// in a model file).</returns>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["filters"] = Filters;
        Args.AddWindowConfig(c);
        c["groups"] = Groups;
        AddActivationAndWeightConfig(c);
        return c;
    }
}

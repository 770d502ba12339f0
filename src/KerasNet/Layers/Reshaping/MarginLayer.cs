#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Engine;

namespace KerasNet.Layers;

/// <summary>
/// The zero padding and cropping layers: rows (and columns) added to or removed from the ends of the spatial axes.
/// Every case runs as one NHWC box copy: (steps, features) is an image of one column, and a channels_first image
/// (c, h, w) is c one-channel images, so no layout conversion is ever needed. Padding's gradient is the cropped output
/// gradient and cropping's the zero-padded one.
/// </summary>
public abstract class MarginLayer : Layer
{
    private readonly bool _crop;
    private readonly int _rank;

    private protected MarginLayer(int rank, bool crop, Margins2D margins, string dataFormat, Shape? inputShape, string? name)
        : base(name, inputShape)
    {
        (_rank, _crop) = (rank, crop);
        if (margins.Top < 0 || margins.Bottom < 0 || margins.Left < 0 || margins.Right < 0)
            throw new KerasNetException($"{ClassName}: {Argument} must not be negative, got {(rank == 1 ? new Margins1D(margins.Top, margins.Bottom) : margins)}.");
        Margins = margins;
        DataFormat = LayerShapes.DataFormat(dataFormat, ClassName);
    }

    /// <summary>The margins; for the 1-D layers (begin, end) are <see cref="Margins2D.Top"/> and <see cref="Margins2D.Bottom"/>.</summary>
    private protected Margins2D Margins { get; }

    /// <summary>"channels_last" or "channels_first" (always channels_last for the 1-D layers).</summary>
    public string DataFormat { get; }

    private string Argument => _crop ? "cropping" : "padding";

    /// <summary>The spatial axes of a per-sample shape and where they start.</summary>
    private (int first, int h, int w) Spatial(int[] s) =>
        _rank == 1 ? (0, s[0], 1) : DataFormat == "channels_last" ? (0, s[0], s[1]) : (1, s[1], s[2]);

    /// <inheritdoc/>
    public override int[] ComputeOutputShape(int[] inputShape)
    {
        LayerShapes.Rank(this, inputShape, _rank + 1);
        var (first, h, w) = Spatial(inputShape);
        int sign = _crop ? -1 : 1;
        var output = (int[])inputShape.Clone();
        output[first] = (int)Math.Clamp(h + sign * ((long)Margins.Top + Margins.Bottom), -1, int.MaxValue);
        if (_rank == 2) output[first + 1] = (int)Math.Clamp(w + sign * ((long)Margins.Left + Margins.Right), -1, int.MaxValue);
        return LayerShapes.Output(this, inputShape, output, $"{Argument} {(_rank == 1 ? $"({Margins.Top}, {Margins.Bottom})" : Margins)}");
    }

    /// <summary>The NHWC view (images, height, width, channels) of a batch of per-sample <paramref name="s"/>.</summary>
    private (int n, int h, int w, int c) Nhwc(int batch, int[] s)
    {
        var (first, h, w) = Spatial(s);
        return _rank == 1 ? (batch, h, 1, s[1]) : first == 0 ? (batch, h, w, s[2]) : (batch * s[0], h, w, 1);
    }

    private void Run(bool crop, int batch, int[] sourceShape, float[] source, float[] target)
    {
        var (n, h, w, c) = Nhwc(batch, sourceShape);
        var (t, b, l, r) = (Margins.Top, Margins.Bottom, Margins.Left, Margins.Right);
        if (crop) Backend.Current.Crop2D(n, h, w, c, t, b, l, r, source, target);
        else Backend.Current.ZeroPad2D(n, h, w, c, t, b, l, r, source, target);
    }

    // Each sample's rows copied inside (or out of) its margins.
    internal override int InferenceInvariantSamples => int.MaxValue;

    /// <inheritdoc/>
    protected internal override Tensor Forward(CallContext ctx, Tensor inputs)
    {
        CheckInput(inputs);
        var output = ctx.Scratch(CallContext.OutputSlot, inputs.BatchSize, OutputShape!);
        Run(_crop, inputs.BatchSize, InputShape!, inputs.Buffer, output.Buffer);
        return output;
    }

    /// <inheritdoc/>
    protected internal override Tensor? Backward(CallContext ctx, Tensor gradOutput, bool needInputGrad, GradientSink sink)
    {
        if (!needInputGrad) return null;
        var gradIn = ctx.Scratch(CallContext.GradInSlot, gradOutput.BatchSize, InputShape!);
        Run(!_crop, gradOutput.BatchSize, OutputShape!, gradOutput.Buffer, gradIn.Buffer);
        return gradIn;
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c[Argument] = _rank == 1 ? new Margins1D(Margins.Top, Margins.Bottom).ToJson() : Margins.ToJson();
        if (_rank == 2) c["data_format"] = DataFormat;
        return c;
    }
}

namespace KerasNet.Serving;

/// <summary>Dynamic batching of one model's Predict calls (filled in below).</summary>
internal sealed class Batcher(ServedModel model, ServeOptions options) : IDisposable
{
    public ServedModel Model { get; } = model;
    public ServeOptions Options { get; } = options;
    public void Dispose() { }
}

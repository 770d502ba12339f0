#nullable enable
namespace KerasNet.ConsoleApp.Commands;

/// <summary>The tutorial's knobs, as <c>kerasnet train</c> takes them.</summary>
/// <param name="DataDirectory">Folder with <c>training_set/</c> and <c>test_set/</c>.</param>
/// <param name="OutputDirectory">Where the files go.</param>
/// <param name="Epochs">Training epochs (50 in the tutorial).</param>
/// <param name="BatchSize">Training batch size (8 in the tutorial).</param>
/// <param name="ImageSize">Images are resized to ImageSize x ImageSize (64 in the tutorial).</param>
/// <param name="Seed">Seeds weights, shuffling and augmentation when given.</param>
/// <param name="SkipInvalid">Skip (and count) images that cannot be decoded instead of stopping.</param>
/// <param name="Arguments">The command line as given, for the run record.</param>
public sealed record TrainSettings(string DataDirectory, string OutputDirectory, int Epochs = 50, int BatchSize = 8, int ImageSize = 64,
    int? Seed = null, bool SkipInvalid = false, IReadOnlyList<string>? Arguments = null);

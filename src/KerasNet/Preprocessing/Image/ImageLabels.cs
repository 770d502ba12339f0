#nullable enable
namespace KerasNet.Preprocessing.Image;

/// <summary>
/// image_dataset_from_directory's <c>labels</c>: "inferred" (from the class subfolders; the default), a list of
/// integer labels in the order of the files found, or <see cref="None"/> (Keras's <c>labels=None</c>: no labels,
/// and every image below the folder is indexed, not only those in subfolders).
/// </summary>
public sealed class ImageLabels
{
    private ImageLabels(string kind, IReadOnlyList<int>? list) { Kind = kind; List = list; }

    /// <summary>Labels from the subfolder names (Keras's "inferred").</summary>
    public static ImageLabels Inferred { get; } = new("inferred", null);

    /// <summary>No labels (Keras's <c>labels=None</c>).</summary>
    public static ImageLabels None { get; } = new("none", null);

    /// <summary>Explicit labels, one per file in the sorted order of the paths (before any shuffle).</summary>
    /// <param name="labels">One class index per file, in the sorted order of the paths.</param>
    /// <returns>The labels.</returns>
    public static ImageLabels FromList(IReadOnlyList<int> labels) =>
        new("list", (labels ?? throw new KerasNetException("image_dataset_from_directory: labels must not be null (use ImageLabels.None).")).ToArray());

    /// <summary>"inferred" as Keras spells it.</summary>
    /// <param name="value">Only <c>"inferred"</c> (Keras's default <c>labels="inferred"</c>); <see
    /// cref="ImageLabels.None"/> is Keras's <c>None</c>.</param>
    /// <returns>The value as a <see cref="ImageLabels"/>.</returns>
    public static implicit operator ImageLabels(string value) => value == "inferred" ? Inferred
        : throw new KerasNetException($"image_dataset_from_directory: `labels` argument should be a list/tuple of integer labels, of the same size as the number of image files in the target directory. If you wish to infer the labels from the subdirectory names in the target directory, pass `labels=\"inferred\"`. If you wish to get a dataset that only contains images (no labels), pass `labels=None`. Received: labels={value}");

    /// <summary>An explicit label list.</summary>
    /// <param name="labels">One class index per file, in the sorted order of the paths.</param>
    /// <returns>The value as a <see cref="ImageLabels"/>.</returns>
    public static implicit operator ImageLabels(int[] labels) => FromList(labels);

    internal string Kind { get; }
    internal IReadOnlyList<int>? List { get; }
}

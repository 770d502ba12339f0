#nullable enable
using KerasNet.Utils;

namespace KerasNet.Preprocessing.Image;

/// <summary>
/// Keras 2.9+'s <c>dataset_utils.index_directory</c> and <c>get_training_or_validation_split</c>, transcribed:
/// class folders are the sorted subfolder names (or "" for labels=None, indexing the folder itself); each is walked
/// in sorted order of the folder paths, files sorted within each folder and kept when their lower-cased name ends
/// with .bmp, .gif, .jpeg, .jpg or .png; then, with shuffle, the paths and the labels are each shuffled by
/// <c>np.random.RandomState(seed).shuffle</c> (the same permutation), and the validation split takes the last
/// <c>int(validation_split * n)</c> files.
/// </summary>
internal static class DatasetIndex
{
    public static readonly string[] AllowlistFormats = [".bmp", ".gif", ".jpeg", ".jpg", ".png"];

    public sealed record Result(List<string> Paths, int[]? Labels, string[] ClassNames);

    public static Result Index(string directory, ImageLabels labels, string[]? classNames, bool shuffle, uint seed, bool followLinks, TextWriter output)
    {
        DirectoryScanner.CheckDirectory(directory);
        string[] subdirs;
        if (labels.Kind == "none") subdirs = [""];
        else
        {
            subdirs = Directory.GetDirectories(directory).Select(d => Path.GetFileName(d)!).ToArray();
            Array.Sort(subdirs, StringComparer.Ordinal);
        }
        string[] classes = labels.Kind == "none" ? subdirs : classNames is { Length: > 0 } ? classNames : subdirs;
        if (labels.Kind != "none" && classNames is { Length: > 0 } && !new HashSet<string>(classNames).SetEquals(subdirs))
            throw new KerasNetException($"The `class_names` passed did not match the names of the subdirectories of the target directory. Expected: [{string.Join(", ", subdirs.Select(PyText.Repr))}], but received: [{string.Join(", ", classNames.Select(PyText.Repr))}]");
        var classIndices = new Dictionary<string, int>();
        for (int i = 0; i < classes.Length; i++) classIndices[classes[i]] = i;

        var files = new List<string>();
        var inferred = new List<int>();
        foreach (var sub in subdirs)
        {
            var dir = sub.Length == 0 ? directory : Path.Combine(directory, sub);
            foreach (var rel in ValidFiles(dir, followLinks))
            {
                inferred.Add(classIndices[sub]);
                files.Add(sub.Length == 0 ? rel : sub + "/" + rel);
            }
        }
        int[]? result = null;
        if (labels.Kind == "list")
        {
            if (labels.List!.Count != files.Count)
                throw new KerasNetException($"Expected the lengths of `labels` to match the number of files in the target directory. len(labels) is {labels.List.Count} while we found {files.Count} files in {directory}.");
            result = labels.List.ToArray();
        }
        else if (labels.Kind == "inferred") result = inferred.ToArray();
        // Keras's "Found N files." branch never runs: labels=None has been replaced by zeros by then, so it says "1 classes".
        output.WriteLine($"Found {files.Count} files belonging to {classes.Length} classes.");
        var paths = files.Select(f => Path.Combine(directory, f)).ToList();
        if (shuffle)
        {
            // Shuffle globally to erase macro-structure: two generators with the same seed, as Keras does.
            new NumpyRandomState(seed).Shuffle(paths);
            if (result != null) new NumpyRandomState(seed).Shuffle(result);
        }
        return new Result(paths, result, classes);
    }

    /// <summary>iter_valid_files: the kept files below <paramref name="dir"/>, relative to it, '/'-separated.</summary>
    private static List<string> ValidFiles(string dir, bool followLinks)
    {
        var roots = new List<string> { "" };
        Walk(dir, "", roots, followLinks);
        var keyed = roots.Select(r => (Key: r.Length == 0 ? dir : dir + "/" + r, Rel: r)).ToList();
        keyed.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key)); // sorted(walk, key=lambda x: x[0])
        var result = new List<string>();
        foreach (var (_, rel) in keyed)
        {
            var here = rel.Length == 0 ? dir : Path.Combine(dir, rel);
            var names = Directory.GetFiles(here).Select(f => Path.GetFileName(f)!).Where(Allowed).ToArray();
            Array.Sort(names, StringComparer.Ordinal);
            foreach (var n in names) result.Add(rel.Length == 0 ? n : rel + "/" + n);
        }
        return result;
    }

    private static bool Allowed(string name)
    {
        var lower = name.ToLowerInvariant();
        return AllowlistFormats.Any(f => lower.EndsWith(f, StringComparison.Ordinal));
    }

    private static void Walk(string top, string rel, List<string> roots, bool followLinks)
    {
        var dir = rel.Length == 0 ? top : Path.Combine(top, rel);
        foreach (var sub in Directory.GetDirectories(dir))
        {
            var info = new DirectoryInfo(sub);
            if (info.LinkTarget != null && !followLinks) continue;
            var subRel = rel.Length == 0 ? info.Name : rel + "/" + info.Name;
            roots.Add(subRel);
            Walk(top, subRel, roots, followLinks);
        }
    }

    /// <summary>get_training_or_validation_split, with Python's slicing (a split of 0 files keeps none for training).</summary>
    public static (List<string> Paths, int[]? Labels) Split(List<string> paths, int[]? labels, double? validationSplit, string? subset, TextWriter output)
    {
        if (validationSplit is not double split || split == 0) return (paths, labels);
        int nVal = (int)(split * paths.Count);
        // samples[:-0] is empty and samples[-0:] is everything, as in Keras.
        if (subset == "training")
        {
            output.WriteLine($"Using {paths.Count - nVal} files for training.");
            int keep = nVal == 0 ? 0 : paths.Count - nVal;
            return (paths.GetRange(0, keep), labels?[..keep]);
        }
        output.WriteLine($"Using {nVal} files for validation.");
        int start = nVal == 0 ? 0 : paths.Count - nVal;
        return (paths.GetRange(start, paths.Count - start), labels?[start..]);
    }
}

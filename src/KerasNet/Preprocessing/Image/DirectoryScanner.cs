#nullable enable
namespace KerasNet.Preprocessing.Image;

/// <summary>
/// Lists a flow_from_directory folder as keras_preprocessing does: classes are the sorted subfolder names; in each
/// class folder every folder below it is walked (symbolic links to folders are not entered), folders in ordinal
/// order of their full path and files sorted within each folder; a file is kept when its lower-cased name ends with
/// png, jpg, jpeg, bmp, ppm, tif or tiff (Keras tests the ending without a dot).
/// </summary>
internal static class DirectoryScanner
{
    public static readonly string[] WhiteListFormats = ["png", "jpg", "jpeg", "bmp", "ppm", "tif", "tiff"];

    public static string[] ListClasses(string directory)
    {
        CheckDirectory(directory);
        var classes = Directory.GetDirectories(directory).Select(Path.GetFileName).Select(n => n!).ToArray();
        Array.Sort(classes, StringComparer.Ordinal);
        if (classes.Length == 0)
        {
            bool empty = !Directory.EnumerateFileSystemEntries(directory).Any();
            throw new KerasNetException(empty
                ? $"Data folder '{directory}' is empty: flow_from_directory expects one subfolder of images per class."
                : $"Data folder '{directory}' has no class subfolders: put each class's images in its own subfolder (e.g. {directory}/cats/, {directory}/dogs/).");
        }
        return classes;
    }

    public static void CheckDirectory(string directory)
    {
        if (string.IsNullOrWhiteSpace(directory)) throw new KerasNetException("flow_from_directory: the data folder path is empty.");
        if (!Directory.Exists(directory))
            throw new KerasNetException(File.Exists(directory) ? $"Data folder '{directory}' is a file, not a folder." : $"Data folder '{directory}' does not exist.");
    }

    /// <summary>Valid files of one class folder as paths relative to the data folder ("class/sub/file.png", '/'-separated).</summary>
    public static List<string> ListClassFiles(string directory, string className)
    {
        var classDir = Path.Combine(directory, className);
        if (!Directory.Exists(classDir)) throw new KerasNetException($"Class folder '{classDir}' does not exist (class '{className}' of data folder '{directory}').");
        var roots = new List<string> { "" };
        Walk(classDir, "", roots);
        var keyed = roots.Select(r => (Key: r.Length == 0 ? classDir : classDir + "/" + r, Rel: r)).ToList();
        keyed.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        var result = new List<string>();
        foreach (var (_, rel) in keyed)
        {
            var dir = rel.Length == 0 ? classDir : Path.Combine(classDir, rel);
            var files = Directory.GetFiles(dir).Select(Path.GetFileName).Select(n => n!).Where(IsWhiteListed).ToArray();
            Array.Sort(files, StringComparer.Ordinal);
            foreach (var f in files) result.Add(rel.Length == 0 ? $"{className}/{f}" : $"{className}/{rel}/{f}");
        }
        return result;
    }

    private static void Walk(string classDir, string rel, List<string> roots)
    {
        var dir = rel.Length == 0 ? classDir : Path.Combine(classDir, rel);
        foreach (var sub in Directory.GetDirectories(dir))
        {
            var info = new DirectoryInfo(sub);
            var subRel = rel.Length == 0 ? info.Name : rel + "/" + info.Name;
            if (info.LinkTarget != null) continue; // os.walk(followlinks=False) does not enter linked folders
            roots.Add(subRel);
            Walk(classDir, subRel, roots);
        }
    }

    internal static bool IsWhiteListed(string fileName)
    {
        var lower = fileName.ToLowerInvariant();
        return WhiteListFormats.Any(e => lower.EndsWith(e, StringComparison.Ordinal));
    }
}

#nullable enable
using System.Text.RegularExpressions;

namespace KerasNet;

/// <summary>Keras's global session state: automatic layer and model names.</summary>
public static partial class KerasBackend
{
    private static readonly Dictionary<string, int> NameCounts = new();
    private static readonly object Gate = new();

    /// <summary>
    /// Resets the automatic name counters, like <c>keras.backend.clear_session()</c>: the next Conv2D is
    /// <c>conv2d</c> again.
    /// </summary>
    public static void ClearSession()
    {
        lock (Gate) NameCounts.Clear();
    }

    /// <summary>Returns <c>base</c>, then <c>base_1</c>, <c>base_2</c>, ... (per process until <see cref="ClearSession"/>).</summary>
    public static string UniqueName(string baseName) => UniqueName(baseName, zeroBased: true);

    /// <summary>
    /// As Keras's <c>unique_object_name</c>: zero-based gives <c>base</c>, <c>base_1</c>, ...; one-based (tf.keras 2.4's
    /// <c>Input</c>) gives <c>base_1</c>, <c>base_2</c>, ...
    /// </summary>
    public static string UniqueName(string baseName, bool zeroBased)
    {
        lock (Gate)
        {
            NameCounts.TryGetValue(baseName, out int n);
            NameCounts[baseName] = n + 1;
            if (!zeroBased) return $"{baseName}_{n + 1}";
            return n == 0 ? baseName : $"{baseName}_{n}";
        }
    }

    /// <summary>Keras's <c>to_snake_case</c>: <c>Conv2D</c> to <c>conv2d</c>, <c>MaxPooling2D</c> to <c>max_pooling2d</c>.</summary>
    public static string ToSnakeCase(string name)
    {
        var s = FirstCap().Replace(name, "$1_$2");
        s = LowerUpper().Replace(s, "$1_$2").ToLowerInvariant();
        return s.StartsWith('_') ? "private" + s : s;
    }

    [GeneratedRegex("(.)([A-Z][a-z0-9]+)")]
    private static partial Regex FirstCap();

    [GeneratedRegex("([a-z])([A-Z])")]
    private static partial Regex LowerUpper();
}

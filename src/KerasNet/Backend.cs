#nullable enable
using System.Text.RegularExpressions;

namespace KerasNet;

/// <summary>
/// Keras's session state: automatic layer and model names, kept by <see cref="KerasContext.Current"/> (the process's
/// <see cref="KerasContext.Default"/> unless a <see cref="KerasContext.Use"/> scope is active).
/// </summary>
public static partial class KerasBackend
{
    /// <summary>
    /// Resets the current context's automatic name counters, like <c>keras.backend.clear_session()</c>: the next
    /// Conv2D is <c>conv2d</c> again.
    /// </summary>
    public static void ClearSession() => KerasContext.Current.ClearSession();

    /// <summary>Returns <c>base</c>, then <c>base_1</c>, <c>base_2</c>, ... (per context until <see cref="ClearSession"/>).</summary>
    /// <param name="baseName">The name to number (a snake-case class name, <c>dense</c>).</param>
    /// <returns>The next unused name.</returns>
    public static string UniqueName(string baseName) => KerasContext.Current.UniqueName(baseName, zeroBased: true);

    /// <summary>
    /// As Keras's <c>unique_object_name</c>: zero-based gives <c>base</c>, <c>base_1</c>, ...; one-based (tf.keras 2.4's
    /// <c>Input</c>) gives <c>base_1</c>, <c>base_2</c>, ...
    /// </summary>
    /// <param name="baseName">The name to number.</param>
    /// <param name="zeroBased">True for <c>base</c>, <c>base_1</c>, ...; false for <c>base_1</c>, <c>base_2</c>,
    /// ...</param>
    /// <returns>The next unused name.</returns>
    public static string UniqueName(string baseName, bool zeroBased) => KerasContext.Current.UniqueName(baseName, zeroBased);

    /// <summary>Keras's <c>to_snake_case</c>: <c>Conv2D</c> to <c>conv2d</c>, <c>MaxPooling2D</c> to <c>max_pooling2d</c>.</summary>
    /// <param name="name">A class name in PascalCase.</param>
    /// <returns>The snake-case name.</returns>
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

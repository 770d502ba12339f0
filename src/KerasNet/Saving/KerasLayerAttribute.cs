#nullable enable
namespace KerasNet.Saving;

/// <summary>
/// Marks a layer class as loadable from Keras configs under the given class names (the current Keras name first,
/// then older aliases such as Keras 1's <c>Convolution2D</c>). The class also declares
/// <c>internal static TLayer FromConfig(LayerConfigReader config)</c>, or, when its only Keras arguments are
/// <c>name</c> and <c>trainable</c>, a <c>(string? name, bool trainable)</c> constructor. A source generator
/// (src/KerasNet.Generators) turns every marked class of the KerasNet assembly into <see cref="LayerRegistry"/>'s table
/// at compile time, so a new layer is one file; a name claimed twice or a missing factory fails the build, and
/// LayerRegistryTests fails for a concrete layer class left unmarked.
/// </summary>
/// <example>
/// <code>
/// [KerasLayer("Dropout")]
/// public sealed class Dropout : Layer
/// {
///     internal static Dropout FromConfig(LayerConfigReader c) => new(c.Double(0, "rate", "p"), name: c.Name);
///     ...
/// }
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
internal sealed class KerasLayerAttribute : Attribute
{
    /// <summary>Registers the class under <paramref name="classNames"/>.</summary>
    public KerasLayerAttribute(params string[] classNames)
    {
        if (classNames.Length == 0) throw new ArgumentException("A Keras layer needs at least one class name.", nameof(classNames));
        ClassNames = classNames;
    }

    /// <summary>The Keras class names (and aliases) configs use for this layer.</summary>
    public IReadOnlyList<string> ClassNames { get; }
}

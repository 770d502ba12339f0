#nullable enable
namespace KerasNet;

/// <summary>
/// The random source behind initialisers, shuffling, dropout and augmentation, like <c>keras.utils.set_random_seed</c>:
/// after <see cref="SetRandomSeed"/> a run repeats bit for bit. Each consumer asks for its own stream so that, for
/// example, adding dropout does not change the initial weights. The seed and streams belong to
/// <see cref="KerasContext.Current"/> (the process's <see cref="KerasContext.Default"/> unless a
/// <see cref="KerasContext.Use"/> scope is active).
/// </summary>
public static class KerasRandom
{
    /// <summary>The seed set last in the current context, or null when unseeded.</summary>
    public static int? Seed => KerasContext.Current.Seed;

    /// <summary>Seeds every random stream of the current context (restarting them).</summary>
    /// <param name="seed">The seed, as Keras's <c>keras.utils.set_random_seed(seed)</c>.</param>
    public static void SetRandomSeed(int seed) => KerasContext.Current.SetRandomSeed(seed);

    /// <summary>
    /// The current context's named stream (e.g. "init", "shuffle", "dropout", "augment"); seeded from its seed and the
    /// name, or from entropy when no seed was set.
    /// </summary>
    /// <param name="name">The stream's name ("init", "shuffle", "dropout", "augment" or one of your own).</param>
    /// <returns>The stream's generator.</returns>
    public static Random Stream(string name) => KerasContext.Current.Stream(name);

    /// <summary>A generator for an explicit seed, or the current context's named stream when the seed is null.</summary>
    /// <param name="seed">An explicit seed, or null for the named stream.</param>
    /// <param name="stream">The stream to use without a seed, and to mix into the seed.</param>
    /// <returns>The generator.</returns>
    public static Random For(int? seed, string stream) => KerasContext.Current.For(seed, stream);
}

#nullable enable
namespace KerasNet.Engine;

internal partial interface IBackend
{
    /// <summary>
    /// Embedding lookup: row i of <paramref name="output"/> ([count, dim]) is row <c>ids[i]</c> of
    /// <paramref name="table"/> ([rows, dim]). Every id must lie in [0, rows).
    /// </summary>
    void EmbeddingLookup(int[] ids, int count, float[] table, int rows, int dim, float[] output);

    /// <summary>
    /// The lookup's table gradient: <paramref name="grad"/> ([rows, dim]) is set to zero, then row i of
    /// <paramref name="gradOutput"/> ([count, dim]) is added into row <c>ids[i]</c> (repeated ids accumulate, in order).
    /// </summary>
    void EmbeddingGradient(int[] ids, int count, float[] gradOutput, int rows, int dim, float[] grad);
}

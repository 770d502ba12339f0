using KerasNet.Engine;
using Microsoft.AspNetCore.Http;

namespace KerasNet.Serving;

/// <summary>The uploaded image of a page request as model input, prepared as <c>:classify-image</c> prepares it.</summary>
internal static class PageImages
{
    /// <summary>Reads the multipart field <c>image</c> of the request into a batch of one for <paramref name="served"/>.</summary>
    internal static Task<Tensor> ReadAsync(HttpContext ctx, ServedModel served) =>
        throw new ApiException(StatusCodes.Status501NotImplemented, "image upload is not wired yet");
}

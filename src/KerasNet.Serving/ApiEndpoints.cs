using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace KerasNet.Serving;

/// <summary>TF Serving's REST routes (<c>/v1/models/{name}[/versions/{v}][:predict|/metadata]</c>) and <c>:classify-image</c>.</summary>
internal static class ApiEndpoints
{
    public static void Map(WebApplication app, ModelRegistry models, ServeOptions options)
    {
        app.MapGet("/v1/models/{name}", (HttpContext ctx, string name) => Status(ctx, models, name, null));
    }

    private static Task Status(HttpContext ctx, ModelRegistry models, string name, string? version) =>
        ApiErrors.TryWrite(ctx, StatusCodes.Status501NotImplemented, "not yet");
}

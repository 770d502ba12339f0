using System.Reflection;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace KerasNet.Serving;

/// <summary>
/// The page's files (wwwroot/*, embedded in the assembly so the tool serves them from wherever it is installed):
/// index.html at <c>/</c>, the others at <c>/page/NAME</c>. Each answer carries a strong ETag (a conditional request
/// gets 304) and a Content-Security-Policy that lets the page load and call nothing but this server.
/// </summary>
internal static class PageAssets
{
    /// <summary>The embedded resources' logical names start with this (the project embeds wwwroot/* under it).</summary>
    private const string Prefix = "wwwroot/";

    /// <summary>Only this server's own scripts, styles and API; images also from the page's own blob: and data: URLs (the preview).</summary>
    internal const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private sealed record Asset(byte[] Body, string ContentType, string ETag);

    /// <summary>Maps <c>GET /</c> and <c>GET /page/NAME</c> for every embedded file; throws when index.html is missing (a broken build).</summary>
    internal static void Map(WebApplication app)
    {
        var assets = Load();
        if (!assets.TryGetValue("index.html", out var index))
            throw new KerasNetException("KerasNet.Serving was built without its page (the embedded wwwroot/index.html is missing).");
        app.MapGet("/", (HttpContext ctx) => Write(ctx, index));
        foreach (var (name, asset) in assets)
            app.MapGet("/page/" + name, (HttpContext ctx) => Write(ctx, asset));
    }

    private static Dictionary<string, Asset> Load()
    {
        var assembly = typeof(PageAssets).Assembly;
        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var body = buffer.ToArray();
            string name = resource[Prefix.Length..];
            assets[name] = new Asset(body, ContentType(name), "\"" + Convert.ToHexString(SHA256.HashData(body), 0, 8).ToLowerInvariant() + "\"");
        }
        return assets;
    }

    /// <summary>The media type of a page file by its extension (the page has only these kinds).</summary>
    internal static string ContentType(string name) => Path.GetExtension(name).ToLowerInvariant() switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        ".png" => "image/png",
        ".ico" => "image/x-icon",
        _ => "application/octet-stream",
    };

    private static Task Write(HttpContext ctx, Asset asset)
    {
        var h = ctx.Response.Headers;
        h.ETag = asset.ETag;
        // Revalidated on each load (a 304 costs one round trip), so a restarted server's new page is never stale.
        h.CacheControl = "no-cache";
        h.XContentTypeOptions = "nosniff";
        h.ContentSecurityPolicy = ContentSecurityPolicy;
        h["Referrer-Policy"] = "no-referrer";
        if (ctx.Request.Headers.IfNoneMatch.Contains(asset.ETag))
        {
            ctx.Response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }
        ctx.Response.ContentType = asset.ContentType;
        ctx.Response.ContentLength = asset.Body.Length;
        return ctx.Response.Body.WriteAsync(asset.Body).AsTask();
    }
}

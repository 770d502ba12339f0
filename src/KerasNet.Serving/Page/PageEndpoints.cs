using Microsoft.AspNetCore.Builder;

namespace KerasNet.Serving;

/// <summary>The web page at <c>/</c> and its endpoints (owned by the page's work; ServeApp calls it after the API routes).</summary>
internal static class PageEndpoints
{
    /// <summary>Maps the page's routes on <paramref name="app"/>.</summary>
    internal static void MapPage(WebApplication app, ModelRegistry models) { }
}

using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace KerasNet.Serving;

/// <summary>A request the API refuses: the HTTP status and the message of TF Serving's <c>{"error": "..."}</c> body.</summary>
internal sealed class ApiException(int status, string message) : Exception(message)
{
    public int Status { get; } = status;

    public static ApiException BadRequest(string message) => new(StatusCodes.Status400BadRequest, message);
}

/// <summary>TF Serving's error answers: <c>{"error": "message"}</c> with the HTTP status of its error code.</summary>
internal static class ApiErrors
{
    /// <summary>Writes the error unless the answer has already begun (then only the status can no longer change).</summary>
    public static async Task TryWrite(HttpContext ctx, int status, string message)
    {
        if (ctx.Response.HasStarted) return;
        ctx.Response.Clear();
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        await ctx.Response.Body.WriteAsync(Body(message));
    }

    /// <summary>The UTF-8 JSON body <c>{"error": message}</c>.</summary>
    public static byte[] Body(string message)
    {
        var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer)) { w.WriteStartObject(); w.WriteString("error", message); w.WriteEndObject(); }
        return buffer.ToArray();
    }
}

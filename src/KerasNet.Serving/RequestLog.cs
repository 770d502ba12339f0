using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace KerasNet.Serving;

/// <summary>
/// The per-request pipeline step every request passes: gives it its time limit (<see cref="ServeOptions.RequestTimeout"/>),
/// turns failures that escaped the endpoint into TF Serving's <c>{"error": ...}</c>, and writes one JSON line per
/// request: <c>{"time", "method", "path", "model", "status", "batch_size", "duration_ms"}</c>.
/// </summary>
internal sealed class RequestLog(TextWriter? log)
{
    private readonly object _lock = new();

    public Func<HttpContext, RequestDelegate, Task> Middleware(ServeOptions options) => async (ctx, next) =>
    {
        var started = DateTimeOffset.UtcNow;
        long t0 = Stopwatch.GetTimestamp();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted);
        deadline.CancelAfter(options.RequestTimeout);
        ctx.Items[RequestInfo.TokenKey] = deadline.Token;
        try { await next(ctx); }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !ctx.RequestAborted.IsCancellationRequested)
        {
            await ApiErrors.TryWrite(ctx, StatusCodes.Status504GatewayTimeout,
                $"Deadline exceeded: the request took longer than the server's limit of {options.RequestTimeout.TotalSeconds:0.###} s.");
        }
        catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested)
        {
            ctx.Response.StatusCode = 499; // the client went away (nginx's code, as TF Serving's CANCELLED); nothing is sent
        }
        catch (BadHttpRequestException e)
        {
            await ApiErrors.TryWrite(ctx, e.StatusCode, e.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? $"Request body too large: the limit is {options.MaxRequestBodyBytes} bytes."
                : $"Bad request: {e.Message}");
        }
        finally
        {
            if (log != null) Write(ctx, started, Stopwatch.GetElapsedTime(t0));
        }
    };

    private void Write(HttpContext ctx, DateTimeOffset started, TimeSpan elapsed)
    {
        var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("time", started.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture));
            w.WriteString("method", ctx.Request.Method);
            w.WriteString("path", ctx.Request.Path.Value);
            if (ctx.Items[RequestInfo.ModelKey] is string model) w.WriteString("model", model); else w.WriteNull("model");
            w.WriteNumber("status", ctx.Response.StatusCode);
            if (ctx.Items[RequestInfo.BatchKey] is int batch) w.WriteNumber("batch_size", batch); else w.WriteNull("batch_size");
            w.WriteNumber("duration_ms", Math.Round(elapsed.TotalMilliseconds, 3));
            w.WriteEndObject();
        }
        string line = System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        lock (_lock)
        {
            // A closed or failing log must not fail the request it describes.
            try { log!.WriteLine(line); log.Flush(); }
            catch (Exception e) when (e is IOException or ObjectDisposedException) { }
        }
    }
}

/// <summary>What an endpoint tells the request log, and the request's deadline token.</summary>
internal static class RequestInfo
{
    public const string ModelKey = "kerasnet.model", BatchKey = "kerasnet.batch", TokenKey = "kerasnet.deadline";

    /// <summary>Cancelled when the request runs past its time limit or the client goes away.</summary>
    public static CancellationToken Token(HttpContext ctx) => ctx.Items[TokenKey] is CancellationToken t ? t : ctx.RequestAborted;
}

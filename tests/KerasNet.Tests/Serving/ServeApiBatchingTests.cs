#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Serving;
using KerasNet.Tests.TestUtil;
using static KerasNet.Tests.Serving.ServeApiModels;

namespace KerasNet.Tests.Serving;

/// <summary>
/// Dynamic batching: concurrent requests run as one Predict call (the request log shows the batch size) and each
/// answer equals, bitwise, a direct Predict of that request's input alone; a full queue answers 503; Model.Predict
/// is called from the batch threads at once.
/// </summary>
public sealed class ServeApiBatchingTests
{
    [Fact]
    public async Task ConcurrentRequestsAreBatchedAndAnswerAsUnbatched()
    {
        string dir = Oracle.TempDir();
        var (model, path) = Classifier(dir);
        var options = ServeApiServer.Options(("clf", path));
        options.MaxBatchSize = 8;
        options.BatchTimeoutMicros = 300_000; // long enough for 16 loopback requests to meet on a loaded machine
        options.NumBatchThreads = 2;
        await using var s = await ServeApiServer.StartAsync(options);
        var r = new Random(11);
        var samples = Enumerable.Range(0, 16).Select(_ => ServeApiModels.Random(r, 8 * 8 * 3)).ToArray();
        var answers = await Task.WhenAll(samples.Select(v =>
            s.PostJson("v1/models/clf:predict", new JsonObject { ["instances"] = new JsonArray(Nest(v, [8, 8, 3])) }.ToJsonString())));
        for (int i = 0; i < samples.Length; i++)
        {
            Assert.Equal(200, answers[i].Status);
            Assert.Equal(PredictOne(model, (samples[i], [8, 8, 3]))[0], Flatten(answers[i].Body!["predictions"]![0]));
        }
        var batches = s.Log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => (int)JsonNode.Parse(l)!["batch_size"]!).ToArray();
        Assert.Equal(16, batches.Length);
        Assert.All(batches, b => Assert.InRange(b, 1, 8));
        Assert.True(batches.Max() > 1, $"no request was batched with another: {string.Join(",", batches)}");
    }

    [Fact]
    public async Task MultiRowRequestsShareBatchesAndKeepTheirRows()
    {
        string dir = Oracle.TempDir();
        var (model, path) = TwoOutputs(dir);
        var options = ServeApiServer.Options(("multi", path));
        options.MaxBatchSize = 16;
        options.BatchTimeoutMicros = 300_000;
        await using var s = await ServeApiServer.StartAsync(options);
        var r = new Random(12);
        var requests = Enumerable.Range(0, 6).Select(k => Enumerable.Range(0, 1 + k % 3).Select(_ => ServeApiModels.Random(r, 5)).ToArray()).ToArray();
        var answers = await Task.WhenAll(requests.Select(rows =>
            s.PostJson("v1/models/multi:predict", new JsonObject { ["instances"] = new JsonArray(rows.Select(v => Nest(v, [5])).ToArray()) }.ToJsonString())));
        for (int k = 0; k < requests.Length; k++)
        {
            Assert.Equal(200, answers[k].Status);
            var predictions = answers[k].Body!["predictions"]!.AsArray();
            Assert.Equal(requests[k].Length, predictions.Count);
            for (int i = 0; i < requests[k].Length; i++)
            {
                var expected = PredictOne(model, (requests[k][i], [5]));
                Assert.Equal(expected[0], Flatten(predictions[i]!["scores"]));
                Assert.Equal(expected[1], Flatten(predictions[i]!["value"]));
            }
        }
    }

    [Fact]
    public async Task AFullQueueAnswers503AndTheRestAreRight()
    {
        string dir = Oracle.TempDir();
        // Wide enough that each Predict takes a while, so 48 concurrent requests outrun one batch thread.
        var x = Keras.Input(256, name: "x");
        var h = new Dense(1024, activation: "relu").Apply(x);
        var model = new Model([x], [new Dense(4).Apply(new Dense(1024, activation: "relu").Apply(h))]);
        string path = System.IO.Path.Combine(dir, "wide.h5");
        model.Save(path);
        var options = ServeApiServer.Options(("wide", path));
        options.MaxBatchSize = 1;
        options.MaxEnqueuedBatches = 1;
        options.NumBatchThreads = 1;
        options.BatchTimeoutMicros = 0;
        await using var s = await ServeApiServer.StartAsync(options);
        var r = new Random(13);
        var samples = Enumerable.Range(0, 48).Select(_ => ServeApiModels.Random(r, 256)).ToArray();
        var answers = await Task.WhenAll(samples.Select(v => s.PostJson("v1/models/wide:predict", new JsonObject { ["instances"] = new JsonArray(Nest(v, [256])) }.ToJsonString())));
        int refused = 0;
        for (int i = 0; i < samples.Length; i++)
        {
            if (answers[i].Status == 503)
            {
                refused++;
                Assert.Contains("The batch scheduling queue to which this task was submitted is full", (string?)answers[i].Body!["error"]);
                continue;
            }
            Assert.Equal(200, answers[i].Status);
            Assert.Equal(PredictOne(model, (samples[i], [256]))[0], Flatten(answers[i].Body!["predictions"]![0]));
        }
        Assert.True(refused > 0, "48 concurrent requests never found the one-row queue full");
        Assert.True(refused < samples.Length);
    }

    [Fact]
    public async Task WithoutBatchingEachRequestRunsAlone()
    {
        string dir = Oracle.TempDir();
        var (model, path) = Classifier(dir);
        var options = ServeApiServer.Options(("clf", path));
        options.EnableBatching = false;
        await using var s = await ServeApiServer.StartAsync(options);
        var r = new Random(14);
        var samples = Enumerable.Range(0, 8).Select(_ => ServeApiModels.Random(r, 8 * 8 * 3)).ToArray();
        var answers = await Task.WhenAll(samples.Select(v =>
            s.PostJson("v1/models/clf:predict", new JsonObject { ["instances"] = new JsonArray(Nest(v, [8, 8, 3])) }.ToJsonString())));
        for (int i = 0; i < samples.Length; i++)
            Assert.Equal(PredictOne(model, (samples[i], [8, 8, 3]))[0], Flatten(answers[i].Body!["predictions"]![0]));
        Assert.All(s.Log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries), l => Assert.Equal(1, (int)JsonNode.Parse(l)!["batch_size"]!));
    }

    [Fact]
    public async Task ARequestPastItsTimeLimitGets504AndTheServerGoesOn()
    {
        string dir = Oracle.TempDir();
        var (model, path) = Classifier(dir);
        var options = ServeApiServer.Options(("clf", path));
        options.RequestTimeout = TimeSpan.FromMilliseconds(300);
        options.BatchTimeoutMicros = 3_000_000; // the lone request waits 3 s for company: past its 0.3 s limit
        await using var s = await ServeApiServer.StartAsync(options);
        var sample = ServeApiModels.Random(new Random(15), 8 * 8 * 3);
        string body = new JsonObject { ["instances"] = new JsonArray(Nest(sample, [8, 8, 3])) }.ToJsonString();
        var (status, answer) = await s.PostJson("v1/models/clf:predict", body);
        Assert.Equal(504, status);
        Assert.Contains("Deadline exceeded", (string?)answer!["error"]);
        Assert.Equal("ok\n", await s.Client.GetStringAsync("healthz"));
    }
}

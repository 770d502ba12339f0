#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Serving;
using KerasNet.Tests.TestUtil;
using static KerasNet.Tests.Serving.ServeApiModels;

namespace KerasNet.Tests.Serving;

/// <summary>
/// TF Serving's REST predict, status and metadata against <see cref="ServeApp"/> on a loopback port: the JSON shapes of
/// TF Serving's documentation (api_rest.md: half_plus_two, row and columnar forms, named inputs and outputs,
/// model_version_status, signature_def) and every served number equal (bitwise) to a direct Predict of that input alone.
/// </summary>
public sealed class ServeApiPredictTests
{
    [Fact]
    public async Task HalfPlusTwoAnswersAsTfServingsDocumentedExample()
    {
        string dir = Oracle.TempDir();
        var (_, path) = HalfPlusTwo(dir);
        await using var s = await ServeApiServer.StartAsync(ServeApiServer.Options(("half_plus_two", path)));
        // api_rest.md: {"instances": [1.0, 2.0, 5.0]} -> {"predictions": [2.5, 3.0, 4.5]}; a Keras input has a feature axis, so each instance is [v].
        var (status, body) = await s.PostJson("v1/models/half_plus_two:predict", """{"instances": [[1.0], [2.0], [5.0]]}""");
        Assert.Equal(200, status);
        Assert.Equal("""{"predictions":[[2.5],[3],[4.5]]}""", body!.ToJsonString());
        (status, body) = await s.PostJson("v1/models/half_plus_two/versions/1:predict", """{"signature_name": "serving_default", "inputs": [[1.0], [2.0], [5.0]]}""");
        Assert.Equal(200, status);
        Assert.Equal("""{"outputs":[[2.5],[3],[4.5]]}""", body!.ToJsonString());
    }

    [Fact]
    public async Task RowAndColumnarAnswersEqualADirectPredictOfEachInstance()
    {
        string dir = Oracle.TempDir();
        var (model, path) = Classifier(dir);
        await using var s = await ServeApiServer.StartAsync(ServeApiServer.Options(("clf", path)));
        var r = new Random(3);
        var samples = Enumerable.Range(0, 5).Select(_ => ServeApiModels.Random(r, 8 * 8 * 3)).ToArray();
        var instances = new JsonArray(samples.Select(v => Nest(v, [8, 8, 3])).ToArray());
        var (status, body) = await s.PostJson("v1/models/clf:predict", new JsonObject { ["instances"] = instances }.ToJsonString());
        Assert.Equal(200, status);
        var predictions = body!["predictions"]!.AsArray();
        Assert.Equal(5, predictions.Count);
        for (int i = 0; i < 5; i++)
            Assert.Equal(PredictOne(model, (samples[i], [8, 8, 3]))[0], Flatten(predictions[i]));

        var columns = new JsonObject { ["inputs"] = Nest(samples.SelectMany(v => v).ToArray(), [5, 8, 8, 3]) };
        (status, body) = await s.PostJson("v1/models/clf:predict", columns.ToJsonString());
        Assert.Equal(200, status);
        var outputs = body!["outputs"]!.AsArray();
        for (int i = 0; i < 5; i++) Assert.Equal(PredictOne(model, (samples[i], [8, 8, 3]))[0], Flatten(outputs[i]));
    }

    [Fact]
    public async Task NamedInputsInRowAndColumnarForm()
    {
        string dir = Oracle.TempDir();
        var (model, path) = TwoInputs(dir);
        await using var s = await ServeApiServer.StartAsync(ServeApiServer.Options(("two", path)));
        var r = new Random(5);
        var a = Enumerable.Range(0, 3).Select(_ => ServeApiModels.Random(r, 4)).ToArray();
        var b = Enumerable.Range(0, 3).Select(_ => ServeApiModels.Random(r, 3)).ToArray();
        // api_rest.md: each instance of a multi-input model is an object of named inputs.
        var instances = new JsonArray(Enumerable.Range(0, 3).Select(i => (JsonNode)new JsonObject { ["b"] = Nest(b[i], [3]), ["a"] = Nest(a[i], [4]) }).ToArray());
        var (status, body) = await s.PostJson("v1/models/two:predict", new JsonObject { ["instances"] = instances }.ToJsonString());
        Assert.Equal(200, status);
        // tanh is the engine's one batch-dependent result: System.Numerics.Tensors computes it with a scalar loop for
        // short spans and vectorised for longer ones, a few ulps apart, so a row of a 3-row call may differ from the
        // same row alone by ~1e-7 (relu, softmax, sigmoid-free models compare bitwise below and in the other tests).
        for (int i = 0; i < 3; i++)
            AssertClose(PredictOne(model, (a[i], [4]), (b[i], [3]))[0], Flatten(body!["predictions"]![i]), TanhTolerance);
        var columns = new JsonObject { ["inputs"] = new JsonObject { ["a"] = Nest(a.SelectMany(v => v).ToArray(), [3, 4]), ["b"] = Nest(b.SelectMany(v => v).ToArray(), [3, 3]) } };
        (status, body) = await s.PostJson("v1/models/two:predict", columns.ToJsonString());
        Assert.Equal(200, status);
        for (int i = 0; i < 3; i++)
            AssertClose(PredictOne(model, (a[i], [4]), (b[i], [3]))[0], Flatten(body!["outputs"]![i]), TanhTolerance);
    }

    [Fact]
    public async Task NamedOutputsAreObjectsKeyedByOutputName()
    {
        string dir = Oracle.TempDir();
        var (model, path) = TwoOutputs(dir);
        await using var s = await ServeApiServer.StartAsync(ServeApiServer.Options(("multi", path)));
        var r = new Random(8);
        var x = Enumerable.Range(0, 2).Select(_ => ServeApiModels.Random(r, 5)).ToArray();
        var (status, body) = await s.PostJson("v1/models/multi:predict", new JsonObject { ["instances"] = new JsonArray(x.Select(v => Nest(v, [5])).ToArray()) }.ToJsonString());
        Assert.Equal(200, status);
        for (int i = 0; i < 2; i++)
        {
            var expected = PredictOne(model, (x[i], [5]));
            var row = body!["predictions"]![i]!.AsObject();
            Assert.Equal(["scores", "value"], row.Select(p => p.Key).ToArray());
            Assert.Equal(expected[0], Flatten(row["scores"]));
            Assert.Equal(expected[1], Flatten(row["value"]));
        }
        (status, body) = await s.PostJson("v1/models/multi:predict", new JsonObject { ["inputs"] = Nest(x.SelectMany(v => v).ToArray(), [2, 5]) }.ToJsonString());
        Assert.Equal(200, status);
        var outputs = body!["outputs"]!.AsObject();
        Assert.Equal(3, outputs["scores"]![0]!.AsArray().Count);
        for (int i = 0; i < 2; i++)
        {
            var expected = PredictOne(model, (x[i], [5]));
            Assert.Equal(expected[0], Flatten(outputs["scores"]![i]));
            Assert.Equal(expected[1], Flatten(outputs["value"]![i]));
        }
    }

    [Fact]
    public async Task StatusAndMetadataAsTfServingPrintsThem()
    {
        string dir = Oracle.TempDir();
        var (_, path) = TwoInputs(dir);
        await using var s = await ServeApiServer.StartAsync(ServeApiServer.Options(("two", path)));
        var (status, body) = await s.Get("v1/models/two");
        Assert.Equal(200, status);
        // GetModelStatusResponse as api_rest.md's example prints it.
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"model_version_status": [{"version": "1", "state": "AVAILABLE", "status": {"error_code": "OK", "error_message": ""}}]}
            """), body), body!.ToJsonString());
        Assert.Equal(200, (await s.Get("v1/models/two/versions/1")).Status);
        (status, body) = await s.Get("v1/models/two/metadata");
        Assert.Equal(200, status);
        var sig = body!["metadata"]!["signature_def"]!["signature_def"]!["serving_default"]!;
        Assert.Equal("two", (string?)body["model_spec"]!["name"]);
        Assert.Equal("1", (string?)body["model_spec"]!["version"]);
        Assert.Equal("tensorflow/serving/predict", (string?)sig["method_name"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"dtype": "DT_FLOAT", "tensor_shape": {"dim": [{"size": "-1", "name": ""}, {"size": "4", "name": ""}], "unknown_rank": false}, "name": "serving_default_a:0"}
            """), sig["inputs"]!["a"]), sig.ToJsonString());
        Assert.Equal("3", (string?)sig["inputs"]!["b"]!["tensor_shape"]!["dim"]![1]!["size"]);
        Assert.Equal("2", (string?)sig["outputs"]!["out"]!["tensor_shape"]!["dim"]![1]!["size"]);
        Assert.Equal("DT_FLOAT", (string?)sig["outputs"]!["out"]!["dtype"]);
    }

    public static TheoryData<string, string> BadBodies => new()
    {
        { "not json", "JSON Parse error" },
        { "", "The document is empty" },
        { "[1, 2]", "Is not object" },
        { """{"instances": []}""", "No values in 'instances' array" },
        { """{"instances": 5}""", "to be an list/array" },
        { """{"signal": [1]}""", "Unknown key 'signal'" },
        { """{}""", "Missing 'inputs' or 'instances' key" },
        { """{"instances": [[1, 2]], "inputs": [[1, 2]]}""", "only one of 'inputs' or 'instances'" },
        { """{"instances": [[1, 2, 3]]}""", "is a plain list, but expecting list of objects" },
        { """{"instances": [{"a": [1, 2, 3, 4]}]}""", "must only have keys: a,b" },
        { """{"instances": [{"a": [1, 2, 3, 4], "b": [1, 2, 3], "c": [1]}]}""", "does not have named input: c" },
        { """{"instances": [{"a": [1, 2, 3], "b": [1, 2, 3]}]}""", "input 'a' of model 'two' expects each instance to have shape [4]" },
        { """{"instances": [{"a": [[1, 2, 3, 4]], "b": [1, 2, 3]}]}""", "(rank 1), but got shape [1,4] (rank 2)" },
        { """{"instances": [{"a": [1, 2, 3, "x"], "b": [1, 2, 3]}]}""", "is not of expected type: float" },
        { """{"instances": [{"a": [1, 2, 3, 4], "b": [1, 2, 3]}, {"a": [1, 2, 3], "b": [1, 2, 3]}]}""", "Expecting shape [4] but got: [3]" },
        { """{"instances": [{"a": [1, 2, 3, 1e300], "b": [1, 2, 3]}]}""", "without loss of precision" },
        { """{"inputs": {"a": [[1, 2, 3, 4]]}}""", "Missing named input: b in 'inputs' object." },
        { """{"inputs": {"a": [[1, 2, 3, 4]], "b": [[1, 2, 3]], "z": 1}}""", "unknown named input: z" },
        { """{"inputs": {"a": [[1, 2, 3, 4], [1, 2, 3]], "b": [[1, 2, 3], [1, 2, 3]]}}""", "Encountered list at unexpected size: 3 at level: 1 expected size: 4" },
        { """{"inputs": {"a": [[1, 2, 3, 4]], "b": [[1, 2, 3], [1, 2, 3]]}}""", "different batch sizes" },
        { """{"inputs": [[1, 2, 3, 4]]}""", "inputs is a plain value/list, but expecting an object" },
        { """{"signature_name": "predict_images", "instances": [[1]]}""", "Serving signature name: \"predict_images\" not found" },
        { """{"signature_name": 3, "instances": [[1]]}""", "'signature_name' key must be a string value" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task EveryBadRequestIsA400WithTfServingsErrorObject(string body, string message)
    {
        await using var s = await Server();
        var (status, answer) = await s.PostJson("v1/models/two:predict", body);
        Assert.Equal(400, status);
        var error = (string?)answer!["error"];
        Assert.NotNull(error);
        Assert.Contains(message, error);
        Assert.Single(answer.AsObject());
    }

    [Fact]
    public async Task UnknownModelsVersionsAndRoutesGetTfServingsCodes()
    {
        await using var s = await Server();
        var (status, body) = await s.PostJson("v1/models/nope:predict", """{"instances": [[1]]}""");
        Assert.Equal(404, status);
        Assert.Equal("Servable not found for request: Latest(nope)", (string?)body!["error"]);
        Assert.Equal(404, (await s.Get("v1/models/nope")).Status);
        Assert.Equal(404, (await s.PostJson("v1/models/two/versions/2:predict", """{"instances": [[1]]}""")).Status);
        Assert.Equal(404, (await s.Get("v1/models/two/labels/stable")).Status);
        Assert.Equal(400, (await s.Get("v1/models/two:predict")).Status);
        Assert.Equal(400, (await s.PostJson("v1/models/two:explain", "{}")).Status);
        Assert.Equal(501, (await s.PostJson("v1/models/two:classify", """{"examples": []}""")).Status);
        Assert.Equal(400, (await s.Get("v1/something/else")).Status);
        Assert.Equal("ok\n", await s.Client.GetStringAsync("healthz"));
    }

    [Fact]
    public async Task BodiesOverTheLimitGet413()
    {
        string dir = Oracle.TempDir();
        var (_, path) = TwoInputs(dir);
        var options = ServeApiServer.Options(("two", path));
        options.MaxRequestBodyBytes = 1000;
        await using var s = await ServeApiServer.StartAsync(options);
        var big = new JsonObject { ["inputs"] = new JsonObject { ["a"] = Nest(new float[400], [100, 4]), ["b"] = Nest(new float[300], [100, 3]) } };
        var (status, body) = await s.PostJson("v1/models/two:predict", big.ToJsonString());
        Assert.Equal(413, status);
        Assert.Contains("limit is 1000 bytes", (string?)body!["error"]);
        // A small one still passes.
        Assert.Equal(200, (await s.PostJson("v1/models/two:predict", """{"inputs": {"a": [[1, 2, 3, 4]], "b": [[1, 2, 3]]}}""")).Status);
    }

    [Fact]
    public async Task EachRequestIsOneJsonLogLine()
    {
        await using var s = await Server();
        await s.PostJson("v1/models/two:predict", """{"inputs": {"a": [[1, 2, 3, 4]], "b": [[1, 2, 3]]}}""");
        await s.PostJson("v1/models/two:predict", "oops");
        var lines = s.Log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToArray();
        Assert.Equal(2, lines.Length);
        Assert.Equal(["time", "method", "path", "model", "status", "batch_size", "duration_ms"], lines[0].AsObject().Select(p => p.Key).ToArray());
        Assert.Equal("POST", (string?)lines[0]["method"]);
        Assert.Equal("/v1/models/two:predict", (string?)lines[0]["path"]);
        Assert.Equal("two", (string?)lines[0]["model"]);
        Assert.Equal(200, (int)lines[0]["status"]!);
        Assert.Equal(1, (int)lines[0]["batch_size"]!);
        Assert.True((double)lines[0]["duration_ms"]! >= 0);
        Assert.Equal(400, (int)lines[1]["status"]!);
        Assert.Null(lines[1]["batch_size"]);
    }

    private static async Task<ServeApiServer> Server()
    {
        var (_, path) = TwoInputs(Oracle.TempDir());
        return await ServeApiServer.StartAsync(ServeApiServer.Options(("two", path)));
    }
}

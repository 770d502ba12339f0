#nullable enable
using KerasNet;
using KerasNet.Layers;
using KerasNet.Models;

// Saves a small and a medium model, in turn, over the same .h5 and .keras paths until it is killed. The medium
// one takes long enough to write that a random kill often lands mid-write. "ready" is printed once both files
// exist, so the parent only kills a process that has something to lose.
if (args.Length != 1)
{
    Console.Error.WriteLine("usage: KerasNet.FaultChild <folder>");
    return 2;
}
var targets = new[] { Path.Combine(args[0], "model.h5"), Path.Combine(args[0], "model.keras") };
var models = new[] { Build(units: 8, inputs: 16), Build(units: 512, inputs: 1024) };
for (long round = 0; ; round++)
{
    foreach (var target in targets)
        foreach (var model in models)
            model.Save(target);
    if (round == 0)
    {
        Console.WriteLine("ready");
        Console.Out.Flush();
    }
}

static Sequential Build(int units, int inputs)
{
    var m = new Sequential();
    m.Add(new Dense(units, inputShape: inputs, activation: "relu"));
    m.Add(new Dense(3, activation: "softmax"));
    m.Compile(optimizer: "adam", loss: "categorical_crossentropy");
    return m;
}

"""Oracle for KerasNet's learning-rate callbacks: a transcription of tf.keras 2.4's ReduceLROnPlateau and
LearningRateScheduler (tensorflow/python/keras/callbacks.py), with the learning rate held as a float32 variable
as K.get_value/K.set_value do. Keras itself is not installed; this follows its source line by line.

argv[1]: JSON {"kind": "reduce", "lr": 0.001, "values": [...], "kwargs": {...}}
      or {"kind": "schedule", "lr": 0.1, "epochs": 5, "schedule": "halve" | "exp" | "step"}
prints JSON {"logged": [logs['lr'] of each epoch], "lr": [the learning rate after each epoch], "text": "what Keras prints"}
(floats as Python's repr of the double value)
"""
import io, json, math, sys
import numpy as np

out = io.StringIO()


class Var:  # a float32 tf.Variable
    def __init__(self, v): self.v = np.float32(v)
    def get(self): return self.v
    def set(self, v): self.v = np.float32(v)


class ReduceLROnPlateau:
    def __init__(self, lr, monitor='val_loss', factor=0.1, patience=10, verbose=0, mode='auto', min_delta=1e-4, cooldown=0, min_lr=0):
        self.lr = lr
        self.monitor = monitor
        if factor >= 1.0:
            raise ValueError('ReduceLROnPlateau does not support a factor >= 1.0.')
        self.factor = factor
        self.min_lr = min_lr
        self.min_delta = min_delta
        self.patience = patience
        self.verbose = verbose
        self.cooldown = cooldown
        self.cooldown_counter = 0
        self.wait = 0
        self.best = 0
        self.mode = mode
        self.monitor_op = None
        self._reset()

    def _reset(self):
        if self.mode not in ['auto', 'min', 'max']:
            self.mode = 'auto'
        if self.mode == 'min' or (self.mode == 'auto' and 'acc' not in self.monitor):
            self.monitor_op = lambda a, b: np.less(a, b - self.min_delta)
            self.best = np.inf
        else:
            self.monitor_op = lambda a, b: np.greater(a, b + self.min_delta)
            self.best = -np.inf
        self.cooldown_counter = 0
        self.wait = 0

    def on_train_begin(self, logs=None):
        self._reset()

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        logs['lr'] = self.lr.get()
        current = logs.get(self.monitor)
        if current is None:
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self.monitor_op(current, self.best):
            self.best = current
            self.wait = 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience:
                old_lr = float(self.lr.get())
                if old_lr > self.min_lr:
                    new_lr = old_lr * self.factor
                    new_lr = max(new_lr, self.min_lr)
                    self.lr.set(new_lr)
                    if self.verbose > 0:
                        print('\nEpoch %05d: ReduceLROnPlateau reducing learning rate to %s.' % (epoch + 1, new_lr), file=out)
                    self.cooldown_counter = self.cooldown
                    self.wait = 0

    def in_cooldown(self):
        return self.cooldown_counter > 0


class LearningRateScheduler:
    def __init__(self, lr, schedule, verbose=0):
        self.lr = lr
        self.schedule = schedule
        self.verbose = verbose

    def on_epoch_begin(self, epoch, logs=None):
        lr = float(self.lr.get())
        lr = self.schedule(epoch, lr)
        self.lr.set(lr)
        if self.verbose > 0:
            print('\nEpoch %05d: LearningRateScheduler reducing learning rate to %s.' % (epoch + 1, lr), file=out)

    def on_epoch_end(self, epoch, logs=None):
        logs['lr'] = self.lr.get()


SCHEDULES = {
    'halve': lambda epoch, lr: lr * 0.5,
    'exp': lambda epoch, lr: lr if epoch < 2 else lr * math.exp(-0.1),
    'step': lambda epoch, lr: 0.1 / (1 + epoch // 2),
}

spec = json.loads(sys.argv[1])
lr = Var(spec['lr'])
lrs, logged = [], []
if spec['kind'] == 'reduce':
    cb = ReduceLROnPlateau(lr, verbose=1, **spec.get('kwargs', {}))
    cb.on_train_begin()
    for epoch, v in enumerate(spec['values']):
        logs = {cb.monitor: v}
        cb.on_epoch_end(epoch, logs)
        logged.append(float(logs['lr']))
        lrs.append(float(lr.get()))
else:
    cb = LearningRateScheduler(lr, SCHEDULES[spec['schedule']], verbose=1)
    for epoch in range(spec['epochs']):
        logs = {}
        cb.on_epoch_begin(epoch)
        cb.on_epoch_end(epoch, logs)
        logged.append(float(logs['lr']))
        lrs.append(float(lr.get()))
print(json.dumps({'logged': [repr(x) for x in logged], 'lr': [repr(x) for x in lrs], 'text': out.getvalue()}))

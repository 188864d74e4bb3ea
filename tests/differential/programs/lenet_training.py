# A LeNet-style classifier trained 3 steps with Adam: losses, accuracy, final parameters.
import numpy as np
import paddle.fluid as fluid
from diffreport import report

rng = np.random.RandomState(50)


def attr(*shape):
    scale = 1.0 / np.sqrt(np.prod(shape[1:]) if len(shape) > 1 else shape[0])
    return fluid.ParamAttr(initializer=fluid.initializer.NumpyArrayInitializer(
        rng.uniform(-scale, scale, shape).astype("float32")))


class LeNet(fluid.dygraph.Layer):
    def __init__(self):
        super(LeNet, self).__init__()
        self.conv1 = fluid.dygraph.Conv2D(1, 4, 3, padding=1, act="relu",
                                          param_attr=attr(4, 1, 3, 3), bias_attr=attr(4))
        self.pool1 = fluid.dygraph.Pool2D(pool_size=2, pool_type="max", pool_stride=2)
        self.conv2 = fluid.dygraph.Conv2D(4, 6, 3, act="relu", param_attr=attr(6, 4, 3, 3),
                                          bias_attr=attr(6))
        self.pool2 = fluid.dygraph.Pool2D(pool_size=2, pool_type="avg", pool_stride=2)
        self.fc = fluid.dygraph.Linear(6 * 1 * 1, 3, act="softmax", param_attr=attr(6, 3),
                                       bias_attr=attr(3))

    def forward(self, x):
        x = self.pool2(self.conv2(self.pool1(self.conv1(x))))
        x = fluid.layers.reshape(x, shape=[-1, 6])
        return self.fc(x)


images = rng.uniform(0, 1, (8, 1, 8, 8)).astype("float32")
labels = rng.randint(0, 3, (8, 1)).astype("int64")

with fluid.dygraph.guard():
    model = LeNet()
    adam = fluid.optimizer.Adam(learning_rate=0.01, parameter_list=model.parameters())
    img = fluid.dygraph.to_variable(images)
    label = fluid.dygraph.to_variable(labels)
    losses, accuracies = [], []
    for step in range(3):
        prediction = model(img)
        loss = fluid.layers.mean(fluid.layers.cross_entropy(prediction, label))
        accuracies.append(fluid.layers.accuracy(prediction, label).numpy())
        loss.backward()
        adam.minimize(loss)
        model.clear_gradients()
        losses.append(loss.numpy())
    report("losses", losses)
    report("accuracies", accuracies)
    report("prediction", prediction)
    for name, param in model.named_parameters():
        report(name, param.numpy())

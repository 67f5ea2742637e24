"""The CIFAR example's models: ``vgg.VGG`` (Chainer's) and ``resnet.ResNet50`` (Chainer's
ImageNet ResNet-50, sized for 32x32 images)."""

# SPDX-License-Identifier: GPL-2.0
#
# Sourced by the scripts that build and boot kernels. kernel_arch NAME
# splits a kernel's name, [ARCH-]FLAVOUR (debug, arm64-debug), and sets:
#   flavour        the configuration: configs/$flavour.config
#   karch          the kernel's ARCH (x86_64, arm64): configs/$karch.config
#   kcross         CROSS_COMPILE for it (empty on x86-64 hosts)
#   kimage_target  the make target of the boot image, and kimage its path
#                  in the build folder
#   qemu_arch      qemu-system-$qemu_arch boots it
kernel_arch() {
	case "$1" in
	arm64-*)
		flavour=${1#arm64-} karch=arm64 kcross=aarch64-linux-gnu-
		kimage_target=Image kimage=arch/arm64/boot/Image
		qemu_arch=aarch64 ;;
	*-*)
		echo "unknown architecture in kernel name $1" >&2
		return 1 ;;
	*)
		flavour=$1 karch=x86_64 kcross=
		kimage_target=bzImage kimage=arch/x86/boot/bzImage
		qemu_arch=x86_64 ;;
	esac
}

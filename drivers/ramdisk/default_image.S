/* drivers/ramdisk/default_image.S - the built-in default disk: a FAT16 image made at build
 * time by tools/mkdiskimg.sh with mkfs.fat and mcopy, used when no -initrd image is given. */
    .section .data
    .balign 4096
    .globl RdDefaultImage, RdDefaultImageEnd
RdDefaultImage:
    .incbin "build/default-disk.img"
RdDefaultImageEnd:

import Stream
print("deblur-video")

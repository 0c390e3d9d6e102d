import io

STATE = {}


def init():
    from PIL import Image, ImageDraw, ImageFilter, ImageFont
    # Prepare state that a real image service would keep warm: a base canvas
    # with a gradient, a blurred backdrop, and a font.
    canvas = Image.new("RGB", (256, 256))
    draw = ImageDraw.Draw(canvas)
    for y in range(256):
        draw.line([(0, y), (255, y)], fill=(y, (y * 3) % 256, 255 - y))
    STATE["backdrop"] = canvas.filter(ImageFilter.GaussianBlur(2))
    STATE["font"] = ImageFont.load_default()
    STATE["Image"] = Image
    STATE["ImageDraw"] = ImageDraw


def handle(body):
    Image = STATE["Image"]
    if body:
        image = Image.open(io.BytesIO(body)).convert("RGB")
    else:
        image = STATE["backdrop"].copy()
    image.thumbnail((128, 128))
    ImageDraw = STATE["ImageDraw"]
    ImageDraw.Draw(image).text((4, 4), "thaw", font=STATE["font"], fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
